//! Which code a normal build compiles. `#[cfg(test)]` code is left out, as
//! `cargo build` leaves it out, so a test module's `use super::*` is no use
//! of its parent. Any other condition (a feature, the target) is taken as
//! met: no code that some build compiles escapes the check.

use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

/// Whether the code carrying `attrs` is compiled outside tests.
pub fn active(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .all(|a| a.parse_args::<Meta>().map_or(true, |m| value(&m) != Some(false)))
}

/// A `cfg` predicate's value with `test` false, or `None` when it depends
/// on something else.
fn value(meta: &Meta) -> Option<bool> {
    match meta {
        Meta::Path(p) if p.is_ident("test") => Some(false),
        Meta::List(list) => {
            let args = list
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()?;
            let values: Vec<Option<bool>> = args.iter().map(value).collect();
            if list.path.is_ident("not") {
                match values.as_slice() {
                    [v] => v.map(|v| !v),
                    _ => None,
                }
            } else if list.path.is_ident("all") {
                if values.contains(&Some(false)) {
                    Some(false)
                } else {
                    values.iter().all(|v| *v == Some(true)).then_some(true)
                }
            } else if list.path.is_ident("any") {
                if values.contains(&Some(true)) {
                    Some(true)
                } else {
                    values.iter().all(|v| *v == Some(false)).then_some(false)
                }
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(text: &str) -> Vec<Attribute> {
        let item: syn::ItemFn = syn::parse_str(&format!("{text} fn f() {{}}")).expect("an item");
        item.attrs
    }

    #[test]
    fn test_code_is_left_out_and_every_other_condition_kept() {
        assert!(!active(&attrs("#[cfg(test)]")));
        assert!(!active(&attrs("#[cfg(all(test, feature = \"x\"))]")));
        assert!(!active(&attrs("#[inline] #[cfg(test)]")));
        assert!(active(&attrs("#[cfg(not(test))]")));
        assert!(active(&attrs("#[cfg(any(test, unix))]")));
        assert!(active(&attrs("#[cfg(feature = \"x\")]")));
        assert!(active(&attrs("#[cfg(not(feature = \"x\"))]")));
        assert!(active(&attrs("#[cfg_attr(test, allow(dead_code))]")));
        assert!(active(&[]));
    }
}
