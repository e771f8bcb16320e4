//! Snapshot tests: the public API of every generated crate as a sorted listing (so a model
//! change reads as an API diff in review), the same for the hand-written library crates (so a
//! breaking change to the runtime does too), and the emitted code of representative shapes.
//! Update with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p cloudfront-codegen`).

mod common;

use cloudfront_codegen::{GeneratedFile, Settings, generate};
use common::{project_files, root};
use quote::ToTokens;

fn fixture_files() -> Vec<GeneratedFile> {
    let model = std::fs::read_to_string(root().join("codegen/tests/fixtures/kitchen_sink.json")).unwrap();
    let settings = Settings {
        service: "example.kitchen#Kitchen".into(),
        crate_prefix: "kitchen".into(),
        operations: None,
        default_content_types: true,
        counted_lists: false,
        refuse_dot_segment_labels: false,
        payload_hash_header: false,
        omitted_literal_query: Vec::new(),
        body_less_errors: Default::default(),
        region_redirects: false,
        errors_in_success: false,
        crates_dir: "../..".into(),
        model_file: "kitchen_sink.json".into(),
        facade_readme: None,
        repository: None,
    };
    generate(&model, &settings).unwrap()
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} was not generated")).contents
}

/// One line per public item, with its signature, sorted.
fn api_surface(files: &[GeneratedFile], crate_dir: &str) -> String {
    let mut lines = Vec::new();
    for f in files.iter().filter(|f| f.path.starts_with(&format!("{crate_dir}/src/"))) {
        let parsed: syn::File = syn::parse_file(&f.contents).unwrap();
        list_items(&parsed.items, "", &mut lines);
    }
    lines.sort();
    lines.dedup();
    lines.join("\n") + "\n"
}

/// The public items of a hand-written crate (its folder under `crates/`), each under its module path (from the file's
/// place under `src/`; a private module's items are listed too, as they may be re-exported).
fn hand_written_api(crate_dir: &str) -> String {
    fn walk(dir: &std::path::Path, module: &str, lines: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("a source directory").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, &format!("{module}{name}::"), lines);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let prefix = match stem {
                    "lib" | "mod" | "main" => module.to_owned(),
                    _ => format!("{module}{stem}::"),
                };
                let text = std::fs::read_to_string(&path).expect("a source file");
                let parsed: syn::File = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                list_items(&parsed.items, &prefix, lines);
            }
        }
    }
    let mut lines = Vec::new();
    walk(&root().join("crates").join(crate_dir).join("src"), "", &mut lines);
    lines.sort();
    lines.dedup();
    lines.join("\n") + "\n"
}

fn list_items(items: &[syn::Item], prefix: &str, out: &mut Vec<String>) {
    let public = |v: &syn::Visibility| matches!(v, syn::Visibility::Public(_));
    // Impls of types no user can name (private types, or any `T` of a blanket impl) are not API.
    let private: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if !public(&s.vis) => Some(s.ident.to_string()),
            syn::Item::Enum(e) if !public(&e.vis) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    let unnameable = |i: &syn::ItemImpl| match &*i.self_ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|last| {
            let name = last.ident.to_string();
            private.contains(&name) || i.generics.type_params().any(|t| t.ident == last.ident)
        }),
        _ => false,
    };
    for item in items {
        match item {
            syn::Item::Struct(s) if public(&s.vis) => {
                let open = if non_exhaustive(&s.attrs) { "#[non_exhaustive] " } else { "" };
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| public(&f.vis))
                    .map(|(i, f)| match &f.ident {
                        Some(name) => format!("{name}: {}", tokens(&f.ty)),
                        None => format!("{i}: {}", tokens(&f.ty)),
                    })
                    .collect();
                out.push(format!("{open}struct {prefix}{} {{ {} }}", s.ident, fields.join(", ")));
            }
            syn::Item::Enum(e) if public(&e.vis) => {
                let open = if non_exhaustive(&e.attrs) { "#[non_exhaustive] " } else { "" };
                let variants: Vec<String> =
                    e.variants.iter().map(|v| tokens(&v.ident) + &variant_fields(&v.fields)).collect();
                out.push(format!("{open}enum {prefix}{} {{ {} }}", e.ident, variants.join(", ")));
            }
            syn::Item::Static(st) if public(&st.vis) => {
                out.push(format!("static {prefix}{}: {}", st.ident, tokens(&st.ty)))
            }
            syn::Item::Const(c) if public(&c.vis) => out.push(format!("const {prefix}{}: {}", c.ident, tokens(&c.ty))),
            syn::Item::Fn(f) if public(&f.vis) => {
                out.push(format!("fn {prefix}{}", signature(&f.sig).trim_start_matches("fn ")))
            }
            syn::Item::Impl(i) if !unnameable(i) => {
                let owner = tokens(&i.self_ty);
                match &i.trait_ {
                    Some((path, _)) => out.push(format!("impl {} for {prefix}{owner}", tokens(path))),
                    None => {
                        for item in &i.items {
                            match item {
                                syn::ImplItem::Fn(f) if public(&f.vis) && !hidden(&f.attrs) => out.push(format!(
                                    "fn {prefix}{owner}::{}",
                                    signature(&f.sig).trim_start_matches("fn ")
                                )),
                                syn::ImplItem::Const(c) if public(&c.vis) => {
                                    out.push(format!("const {prefix}{owner}::{}: {}", c.ident, tokens(&c.ty)))
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
            syn::Item::Mod(m) if public(&m.vis) => {
                if let Some((_, inner)) = &m.content {
                    list_items(inner, &format!("{prefix}{}::", m.ident), out);
                } else {
                    out.push(format!("mod {prefix}{}", m.ident));
                }
            }
            syn::Item::Use(u) if public(&u.vis) => out.push(format!("use {prefix}{}", tokens(&u.tree))),
            _ => {}
        }
    }
}

/// A variant's fields without their attributes (docs would drown the types).
fn variant_fields(fields: &syn::Fields) -> String {
    let types = fields.iter().map(|f| match &f.ident {
        Some(name) => format!("{name}: {}", tokens(&f.ty)),
        None => tokens(&f.ty),
    });
    let types: Vec<String> = types.collect();
    match fields {
        syn::Fields::Named(_) => format!(" {{ {} }}", types.join(", ")),
        syn::Fields::Unnamed(_) => format!("({})", types.join(", ")),
        syn::Fields::Unit => String::new(),
    }
}

fn non_exhaustive(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

fn hidden(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| tokens(a).contains("doc (hidden)"))
}

fn signature(sig: &syn::Signature) -> String {
    let item: syn::ItemFn = syn::parse_quote!(#sig {});
    let text = prettyplease::unparse(&syn::parse_quote!(#item));
    text.trim()
        .trim_end_matches("{}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(", )", ")")
}

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

#[test]
fn public_api_of_the_generated_crates() {
    let files = project_files();
    let crates = ["cloudfront-shapes", "cloudfront-errors", "cloudfront-serializers", "cloudfront"];
    let s3 = ["cloudfront-s3-shapes", "cloudfront-s3-errors", "cloudfront-s3-serializers", "cloudfront-s3"];
    for dir in crates.into_iter().chain(s3) {
        insta::assert_snapshot!(format!("api_{}", dir.replace('-', "_")), api_surface(&files, dir));
    }
}

#[test]
fn public_api_of_the_hand_written_library_crates() {
    for dir in [
        "runtime/cloudfront-primitives",
        "runtime/cloudfront-restxml",
        "runtime/cloudfront-sigv4",
        "runtime/cloudfront-runtime",
        "products/cloudfront-invalidate",
        "products/cloudfront-deploy",
    ] {
        let name = dir.split('/').next_back().expect("a crate folder");
        insta::assert_snapshot!(format!("api_{}", name.replace('-', "_")), hand_written_api(dir));
    }
}

#[test]
fn emitted_code_of_representative_shapes() {
    let files = project_files();
    for (name, path) in [
        ("paths_counted_list", "cloudfront-shapes/src/paths.rs"),
        ("create_invalidation_wire", "cloudfront-serializers/src/create_invalidation.rs"),
        ("list_invalidations_wire", "cloudfront-serializers/src/list_invalidations.rs"),
        ("create_invalidation_error", "cloudfront-errors/src/create_invalidation_error.rs"),
    ] {
        insta::assert_snapshot!(name, file(&files, path));
    }
}

#[test]
fn emitted_code_for_every_binding_and_type() {
    let files = fixture_files();
    for (name, path) in [
        ("kitchen_recipe_recursive_struct", "kitchen-shapes/src/recipe.rs"),
        ("kitchen_garnish_union", "kitchen-shapes/src/garnish.rs"),
        ("kitchen_flavor_enum", "kitchen-shapes/src/flavor.rs"),
        ("kitchen_put_dish_input_sensitive", "kitchen-shapes/src/put_dish_input.rs"),
        ("kitchen_put_dish_wire", "kitchen-serializers/src/put_dish.rs"),
        ("kitchen_xml_functions", "kitchen-serializers/src/xml.rs"),
        ("kitchen_burnt_error_reader", "kitchen-serializers/src/errors.rs"),
    ] {
        insta::assert_snapshot!(name, file(&files, path));
    }
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(project_files(), project_files());
    assert_eq!(fixture_files(), fixture_files());
}
