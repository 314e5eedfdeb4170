//! A crate's modules, read from its source files the way the compiler
//! finds them (`mod x;` is `x.rs` or `x/mod.rs` beside its parent, or
//! what `#[path]` says), each with what it defines, what its `use` lines
//! bring in, and every path it writes. `#[cfg(test)]` modules and items
//! are left out.

use crate::error::TestkitError;
use crate::modules::refs::{self, Ref};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::{Item, ItemMod, ItemUse};

/// One module of a crate.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Its path in the crate; empty for the crate root.
    pub path: Vec<String>,
    /// The file it is written in (an inline module's is its parent's).
    pub file: PathBuf,
    /// The module that declares it; `None` for the crate root.
    pub parent: Option<usize>,
    /// The modules it declares, by name.
    pub children: BTreeMap<String, usize>,
    /// The names of the items it defines (functions, types, traits,
    /// constants, macros).
    pub items: BTreeSet<String>,
    /// The names its `use` lines bring in, with the path each stands for.
    pub imports: BTreeMap<String, Vec<String>>,
    /// The paths of its glob imports (`use x::*`).
    pub globs: Vec<Vec<String>>,
    /// Every path it writes: in `use` lines and in place.
    pub refs: Vec<Ref>,
}

/// A crate (a library or a binary) as its modules; the root is first.
#[derive(Clone, Debug)]
pub struct Crate {
    /// Its name as code spells it (`podium_server`).
    pub name: String,
    /// Its modules; the root is at index 0.
    pub modules: Vec<Module>,
}

impl Crate {
    /// Reads the crate whose root file is `root`.
    ///
    /// # Errors
    /// A module file that is missing or does not parse, named.
    pub fn read(name: &str, root: &Path) -> Result<Crate, TestkitError> {
        let mut krate = Crate {
            name: name.to_owned(),
            modules: Vec::new(),
        };
        let file = parse(root)?;
        let dir = root.parent().unwrap_or(Path::new("."));
        krate.modules.push(Module {
            file: root.to_owned(),
            ..Module::default()
        });
        krate.fill(
            0,
            &file.items,
            &Place {
                file: root,
                dir,
                inline: false,
            },
        )?;
        Ok(krate)
    }

    /// A module's name as a person reads it: `podium_server::routes::auth`.
    #[must_use]
    pub fn display(&self, module: usize) -> String {
        let mut s = self.name.clone();
        for p in &self.modules[module].path {
            s.push_str("::");
            s.push_str(p);
        }
        s
    }

    fn fill(&mut self, m: usize, items: &[Item], place: &Place<'_>) -> Result<(), TestkitError> {
        for item in items {
            if !refs::item_active(item) {
                continue;
            }
            match item {
                Item::Mod(sub) => self.child(m, sub, place)?,
                Item::Use(u) => self.import(m, u),
                other => {
                    if let Some(name) = defined_name(other) {
                        self.modules[m].items.insert(name);
                    }
                    self.modules[m].refs.extend(refs::of_item(other));
                }
            }
        }
        Ok(())
    }

    fn import(&mut self, m: usize, u: &ItemUse) {
        if u.leading_colon.is_some() {
            return;
        }
        let module = &mut self.modules[m];
        for leaf in refs::use_leaves(&u.tree) {
            if leaf.glob {
                module.globs.push(leaf.path.clone());
            } else if let Some(binding) = &leaf.binding {
                module.imports.insert(binding.clone(), leaf.path.clone());
            }
            module.refs.push(Ref {
                path: leaf.path,
                line: leaf.line,
            });
        }
    }

    fn child(&mut self, m: usize, sub: &ItemMod, place: &Place<'_>) -> Result<(), TestkitError> {
        let name = refs::name(&sub.ident);
        let path = [self.modules[m].path.as_slice(), std::slice::from_ref(&name)].concat();
        let c = self.modules.len();
        self.modules[m].children.insert(name.clone(), c);
        if let Some((_, items)) = &sub.content {
            self.modules.push(Module {
                path,
                file: place.file.to_owned(),
                parent: Some(m),
                ..Module::default()
            });
            let dir = place.dir.join(&name);
            return self.fill(
                c,
                items,
                &Place {
                    file: place.file,
                    dir: &dir,
                    inline: true,
                },
            );
        }
        let (file, dir) = locate(sub, &name, place)?;
        let parsed = parse(&file)?;
        self.modules.push(Module {
            path,
            file: file.clone(),
            parent: Some(m),
            ..Module::default()
        });
        if !crate::modules::cfg::active(&parsed.attrs) {
            return Ok(());
        }
        self.fill(
            c,
            &parsed.items,
            &Place {
                file: &file,
                dir: &dir,
                inline: false,
            },
        )
    }
}

/// Where a module's items are written: its file, the directory its
/// `mod x;` files are in, and whether it is a `mod x { … }` block.
struct Place<'a> {
    file: &'a Path,
    dir: &'a Path,
    inline: bool,
}

/// The file of `mod name;` and the directory of its own child modules.
fn locate(sub: &ItemMod, name: &str, place: &Place<'_>) -> Result<(PathBuf, PathBuf), TestkitError> {
    if let Some(relative) = path_attr(sub) {
        // `#[path]` is relative to the file's directory, or inside a
        // `mod x { … }` block to that block's directory; the file it names
        // keeps its children beside it, as a `mod.rs` does.
        let base = if place.inline {
            place.dir
        } else {
            place.file.parent().unwrap_or(Path::new("."))
        };
        let file = base.join(relative);
        let dir = file.parent().unwrap_or(Path::new(".")).to_owned();
        return Ok((file, dir));
    }
    let flat = place.dir.join(format!("{name}.rs"));
    let nested = place.dir.join(name).join("mod.rs");
    let file = if flat.is_file() {
        flat
    } else if nested.is_file() {
        nested
    } else {
        return Err(TestkitError::ModuleMissing {
            parent: place.file.to_owned(),
            name: name.to_owned(),
            flat,
            nested,
        });
    };
    Ok((file, place.dir.join(name)))
}

fn path_attr(sub: &ItemMod) -> Option<String> {
    sub.attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s), ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn parse(file: &Path) -> Result<syn::File, TestkitError> {
    let text = std::fs::read_to_string(file).map_err(|source| TestkitError::ReadSource {
        path: file.to_owned(),
        source,
    })?;
    syn::parse_file(&text).map_err(|source| {
        let at = source.span().start();
        TestkitError::ParseSource {
            path: file.to_owned(),
            line: at.line,
            column: at.column + 1,
            source,
        }
    })
}

/// The name an item defines in its module's namespace, if any.
fn defined_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Const(i) => &i.ident,
        Item::Enum(i) => &i.ident,
        Item::Fn(i) => &i.sig.ident,
        Item::Macro(i) => i.ident.as_ref()?,
        Item::Static(i) => &i.ident,
        Item::Struct(i) => &i.ident,
        Item::Trait(i) => &i.ident,
        Item::TraitAlias(i) => &i.ident,
        Item::Type(i) => &i.ident,
        Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(refs::name(ident))
}
