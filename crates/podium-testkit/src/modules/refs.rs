//! The paths a piece of code writes that may name another module of its
//! crate: those of `use` lines, those written in place (`crate::a::f()`,
//! `super::Type`, `child::CONST` in a type, a pattern, an `impl`), and
//! those inside macro calls and attributes, which the compiler only reads
//! once the macro runs (`tracing::info!(… crate::x::NAME …)`,
//! `#[openapi(paths(crate::routes::login))]`, `#[serde(with = "crate::x")]`).
//!
//! Which of them lead to a module of the crate is decided later, once
//! every module is known; a path that leads nowhere in the crate (`std::…`,
//! `Self::new`, a local's field) is dropped then.

use crate::modules::cfg;
use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Attribute, ImplItem, Item, Meta, TraitItem, UseTree};

/// A path written in the code, as its segments (`["crate", "a", "f"]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    /// Its segments, first to last.
    pub path: Vec<String>,
    /// The line it starts on.
    pub line: usize,
}

/// One name a `use` line brings in (or, for a glob, the module it opens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// The full path imported (for a glob, the module's path).
    pub path: Vec<String>,
    /// The name it is known by here; `None` for a glob or `as _`.
    pub binding: Option<String>,
    /// Whether it is `path::*`.
    pub glob: bool,
    /// The line of its last segment.
    pub line: usize,
}

/// The names a `use` tree brings in.
#[must_use]
pub fn use_leaves(tree: &UseTree) -> Vec<Leaf> {
    let mut leaves = Vec::new();
    walk_use(tree, &mut Vec::new(), &mut leaves);
    leaves
}

fn walk_use(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<Leaf>) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(name(&p.ident));
            walk_use(&p.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(n) if n.ident == "self" => out.push(Leaf {
            path: prefix.clone(),
            binding: prefix.last().cloned(),
            glob: false,
            line: n.ident.span().start().line,
        }),
        UseTree::Name(n) => out.push(Leaf {
            path: [prefix.as_slice(), &[name(&n.ident)]].concat(),
            binding: Some(name(&n.ident)),
            glob: false,
            line: n.ident.span().start().line,
        }),
        UseTree::Rename(r) => {
            let path = if r.ident == "self" {
                prefix.clone()
            } else {
                [prefix.as_slice(), &[name(&r.ident)]].concat()
            };
            out.push(Leaf {
                path,
                binding: (r.rename != "_").then(|| name(&r.rename)),
                glob: false,
                line: r.ident.span().start().line,
            });
        }
        UseTree::Glob(g) => out.push(Leaf {
            path: prefix.clone(),
            binding: None,
            glob: true,
            line: g.star_token.span.start().line,
        }),
        UseTree::Group(g) => {
            for t in &g.items {
                walk_use(t, prefix, out);
            }
        }
    }
}

/// An identifier as a path segment (`r#type` is `type`).
#[must_use]
pub fn name(ident: &proc_macro2::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map_or(s.clone(), str::to_owned)
}

/// Every path `item` writes (in place, in nested `use` lines, in macro
/// calls and attributes), leaving out its `#[cfg(test)]` parts and any
/// module it declares (each module is read on its own).
#[must_use]
pub fn of_item(item: &Item) -> Vec<Ref> {
    let mut c = Collector::default();
    c.visit_item(item);
    c.refs
}

#[derive(Default)]
struct Collector {
    refs: Vec<Ref>,
}

impl Collector {
    fn push(&mut self, path: Vec<String>, line: usize) {
        self.refs.push(Ref { path, line });
    }

    /// Paths among the tokens of a macro call or an attribute: `a::b…`
    /// not after a `::`, `$crate::…`, and string literals that are
    /// `crate::…`, `self::…` or `super::…` paths.
    fn scan(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => {
                    self.scan(g.stream());
                    i += 1;
                }
                TokenTree::Literal(l) => {
                    self.string_path(l);
                    i += 1;
                }
                _ => {
                    let (path, line, next) = path_at(&trees, i);
                    if path.len() >= 2 && !after_colons(&trees, i) {
                        self.push(path, line);
                    }
                    i = next.max(i + 1);
                }
            }
        }
    }

    fn string_path(&mut self, lit: &proc_macro2::Literal) {
        let Ok(s) = syn::parse_str::<syn::LitStr>(&lit.to_string()) else {
            return;
        };
        let Ok(path) = syn::parse_str::<syn::Path>(&s.value()) else {
            return;
        };
        let segments: Vec<String> = path.segments.iter().map(|s| name(&s.ident)).collect();
        let rooted = matches!(segments.first().map(String::as_str), Some("crate" | "self" | "super"));
        if rooted && segments.len() >= 2 && path.leading_colon.is_none() {
            self.push(segments, lit.span().start().line);
        }
    }
}

/// The `a::b::c` (or `$crate::b`) path starting at `i`, its line, and
/// the index after it.
fn path_at(trees: &[TokenTree], i: usize) -> (Vec<String>, usize, usize) {
    let mut path = Vec::new();
    let mut line = 0;
    let mut j = i;
    match (&trees[i], trees.get(i + 1)) {
        (TokenTree::Punct(p), Some(TokenTree::Ident(id))) if p.as_char() == '$' && id == "crate" => {
            path.push("crate".to_owned());
            line = id.span().start().line;
            j = i + 2;
        }
        (TokenTree::Ident(id), _) => {
            path.push(name(id));
            line = id.span().start().line;
            j = i + 1;
        }
        _ => return (path, line, j),
    }
    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(id))) =
        (trees.get(j), trees.get(j + 1), trees.get(j + 2))
    {
        if a.as_char() != ':' || a.spacing() != Spacing::Joint || b.as_char() != ':' {
            break;
        }
        path.push(name(id));
        j += 3;
    }
    (path, line, j)
}

/// Whether the token at `i` follows `::` (`::std::x`, `<T>::f`): such a
/// path does not start in the module's scope.
fn after_colons(trees: &[TokenTree], i: usize) -> bool {
    i >= 2
        && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == ':')
        && matches!(&trees[i - 2], TokenTree::Punct(p) if p.as_char() == ':')
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Whether an item is compiled outside tests.
#[must_use]
pub fn item_active(item: &Item) -> bool {
    cfg::active(item_attrs(item))
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast Item) {
        if !item_active(item) {
            return;
        }
        match item {
            Item::Mod(_) => {}
            Item::Use(u) if u.leading_colon.is_none() => {
                for leaf in use_leaves(&u.tree) {
                    self.push(leaf.path, leaf.line);
                }
            }
            Item::Use(_) => {}
            _ => visit::visit_item(self, item),
        }
    }

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        let attrs: &[Attribute] = match item {
            ImplItem::Const(i) => &i.attrs,
            ImplItem::Fn(i) => &i.attrs,
            ImplItem::Type(i) => &i.attrs,
            ImplItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        if cfg::active(attrs) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_trait_item(&mut self, item: &'ast TraitItem) {
        let attrs: &[Attribute] = match item {
            TraitItem::Const(i) => &i.attrs,
            TraitItem::Fn(i) => &i.attrs,
            TraitItem::Type(i) => &i.attrs,
            TraitItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        if cfg::active(attrs) {
            visit::visit_trait_item(self, item);
        }
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        if cfg::active(&field.attrs) {
            visit::visit_field(self, field);
        }
    }

    fn visit_variant(&mut self, variant: &'ast syn::Variant) {
        if cfg::active(&variant.attrs) {
            visit::visit_variant(self, variant);
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if cfg::active(&local.attrs) {
            visit::visit_local(self, local);
        }
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        if cfg::active(&arm.attrs) {
            visit::visit_arm(self, arm);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() && path.segments.len() >= 2 {
            let segments = path.segments.iter().map(|s| name(&s.ident)).collect();
            self.push(segments, path.segments[0].ident.span().start().line);
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.scan(mac.tokens.clone());
    }

    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        match &attr.meta {
            Meta::List(list) => self.scan(list.tokens.clone()),
            Meta::NameValue(nv) => self.visit_expr(&nv.value),
            Meta::Path(_) => {}
        }
    }
}
