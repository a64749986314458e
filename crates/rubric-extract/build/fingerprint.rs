//! The fingerprint of Rust source text, as `EXTRACTOR_VERSION` uses it:
//! BLAKE3 over the tokens of the file with comments, doc comments and
//! `#[cfg(test)]` items left out. Shared by `build.rs` and the test that
//! checks what changes it (`tests/extractor_version.rs`).

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit_mut::VisitMut;

/// Feeds the code of one Rust file to `hasher`: its tokens without doc
/// attributes and test items, or its bytes when it does not parse.
pub fn hash_source(hasher: &mut blake3::Hasher, text: &str) {
    match syn::parse_file(text) {
        Ok(mut parsed) => {
            LeaveOutTests.visit_file_mut(&mut parsed);
            hash_tokens(hasher, parsed.into_token_stream());
        }
        Err(_) => {
            hasher.update(text.as_bytes());
        }
    }
}

/// Removes `#[cfg(test)]` items (test modules, test-only functions) from
/// modules and impl blocks.
struct LeaveOutTests;

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl VisitMut for LeaveOutTests {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        file.items.retain(|item| !is_test(item_attrs(item)));
        syn::visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut module.content {
            items.retain(|item| !is_test(item_attrs(item)));
        }
        syn::visit_mut::visit_item_mod_mut(self, module);
    }

    fn visit_item_impl_mut(&mut self, block: &mut syn::ItemImpl) {
        block.items.retain(|item| match item {
            syn::ImplItem::Fn(f) => !is_test(&f.attrs),
            _ => true,
        });
        syn::visit_mut::visit_item_impl_mut(self, block);
    }
}

/// Feeds the tokens to the hasher, leaving out doc attributes (`///`, `//!`
/// and `#[doc = ...]`); comments are not tokens at all.
fn hash_tokens(hasher: &mut blake3::Hasher, tokens: TokenStream) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(skip) = doc_attribute_len(&tokens[i..]) {
            i += skip;
            continue;
        }
        match &tokens[i] {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("\u{1}", "\u{2}"),
                };
                hasher.update(open.as_bytes());
                hash_tokens(hasher, group.stream());
                hasher.update(close.as_bytes());
            }
            TokenTree::Punct(punct) => {
                let joint = punct.spacing() == proc_macro2::Spacing::Joint;
                hasher.update(
                    format!("{}{}", punct.as_char(), if joint { "" } else { " " }).as_bytes(),
                );
            }
            TokenTree::Ident(ident) => {
                hasher.update(format!("{ident} ").as_bytes());
            }
            TokenTree::Literal(literal) => {
                hasher.update(format!("{literal} ").as_bytes());
            }
        }
        i += 1;
    }
}

/// How many tokens a doc attribute at the start of `tokens` takes: `#`,
/// maybe `!`, then `[doc ...]`.
fn doc_attribute_len(tokens: &[TokenTree]) -> Option<usize> {
    let TokenTree::Punct(hash) = tokens.first()? else {
        return None;
    };
    if hash.as_char() != '#' {
        return None;
    }
    let bang = matches!(tokens.get(1)?, TokenTree::Punct(p) if p.as_char() == '!');
    let at = if bang { 2 } else { 1 };
    let TokenTree::Group(group) = tokens.get(at)? else {
        return None;
    };
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    match group.stream().into_iter().next() {
        Some(TokenTree::Ident(ident)) if ident == "doc" => Some(at + 1),
        _ => None,
    }
}
