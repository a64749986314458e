//! Articles in several languages in one index, end to end: each article's
//! language (declared, detected, or `ingest --lang`), each found through its
//! own stemming and not another's, `search --lang`, a mixed site, and short
//! texts that fall back to the default instead of a guess.

use crate::harness::Case;

const GERMAN: &str = "---
title: Darmgesundheit
lang: de
---

## Entzündungen bei Kindern

Entzündungen des Darms sind bei Kindern häufig. Die Darmflora schützt die Schleimhaut.

## Ernährung

Ballaststoffe nähren die guten Bakterien im Darm.
";

const FRENCH: &str = r#"<!doctype html><html lang="fr-FR"><head><title>Santé intestinale</title></head>
<body><main><h1>Santé intestinale</h1>
<h2 id="enfants">Les inflammations chez les enfants</h2>
<p>Les inflammations intestinales touchent souvent les jeunes enfants. Une analyse des selles aide le médecin.</p>
</main></body></html>"#;

const SPANISH: &str = r###"{"id": "salud", "title": "Salud intestinal", "lang": "es", "markdown": "## Inflamaciones en los niños\n\nLas inflamaciones intestinales son frecuentes en los niños pequeños. Cada año muchos padres consultan al médico.\n"}
"###;

const ENGLISH: &str = "Gut health

Inflammation in Children
Inflammations of the gut are common in young children. An analyse of the stool helps the doctor, and tumours are rare.
";

/// The four articles side by side, indexed.
fn four_languages() -> Case {
    let case = Case::new();
    case.write("site/de/darm.md", GERMAN);
    case.write("site/fr/sante.html", FRENCH);
    case.write("site/es/salud.jsonl", SPANISH);
    case.write("site/en/gut.txt", ENGLISH);
    case.ingest(&["site"]).expect_code(0);
    case
}

/// `search --json ARGS`: (id, language) of each hit, best first.
fn hits(case: &Case, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = case.search(&all);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_string(),
                h["language"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn ids(case: &Case, args: &[&str]) -> Vec<String> {
    hits(case, args).into_iter().map(|(id, _)| id).collect()
}

#[test]
fn each_language_is_found_through_its_own_stemming() {
    let case = four_languages();
    let german = "de/darm.md#entzündungen-bei-kindern";
    assert_eq!(
        hits(&case, &["Entzündung Kind"])[0],
        (german.to_string(), "de".to_string()),
        "the German stemmer makes Entzündung of Entzündungen and Kind of Kindern"
    );
    assert_eq!(
        hits(&case, &["inflammation enfant"])[0],
        ("fr/sante.html#enfants".to_string(), "fr".to_string())
    );
    assert_eq!(
        hits(&case, &["inflamación niño"])[0],
        (
            "salud#inflamaciones-en-los-niños".to_string(),
            "es".to_string()
        )
    );
    let english = hits(&case, &["inflammation child"]);
    assert_eq!(english[0].0, "en/gut.txt#inflammation-in-children");
    assert_eq!(english[0].1, "en", "detected from the text");

    // The snippet marks the German forms the German terms stand for.
    let run = case.search(&["--json", "Entzündung Kind"]).expect_code(0);
    let snippet = run.json()["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        snippet.contains("<mark>Entzündungen</mark>") && snippet.contains("<mark>Kindern</mark>"),
        "{snippet}"
    );
}

#[test]
fn a_language_is_not_found_through_another_languages_rules() {
    let case = four_languages();
    // English respells British "analyse" as "analyze"; the French
    // "analyse" is French and stays as it is.
    assert_eq!(
        ids(&case, &["analyze"]),
        ["en/gut.txt#inflammation-in-children"]
    );
    let mut both = ids(&case, &["analyse"]);
    both.sort();
    assert_eq!(
        both,
        [
            "en/gut.txt#inflammation-in-children",
            "fr/sante.html#enfants"
        ],
        "each analyse, through its own language's rules"
    );
    // "Kindern" only meets "Kind" through German rules: English ones leave
    // it whole.
    assert_eq!(
        ids(&case, &["--lang", "en", "Entzündung Kind"]),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&case, &["--lang", "de", "Entzündung Kind"]),
        ["de/darm.md#entzündungen-bei-kindern"]
    );
    // Accents: Spanish keeps ñ (año is not ano), French folds é.
    assert_eq!(ids(&case, &["ano"]), Vec::<String>::new());
    assert_eq!(ids(&case, &["año"]), ["salud#inflamaciones-en-los-niños"]);
    assert_eq!(ids(&case, &["medecin"])[0], "fr/sante.html#enfants");
}

#[test]
fn search_lang_limits_the_query_to_one_language() {
    let case = four_languages();
    let everywhere = ids(&case, &["inflammation"]);
    assert!(everywhere.len() >= 2, "{everywhere:?}");
    let french: Vec<(String, String)> = hits(&case, &["--lang", "fr", "inflammation"]);
    assert!(!french.is_empty());
    assert!(french.iter().all(|(_, lang)| lang == "fr"), "{french:?}");
    case.search(&["--lang", "deutsch", "x"]).expect_code(2);
}

#[test]
fn typos_suggestions_and_groups_work_in_every_language() {
    let case = four_languages();
    // A German typo matches the German word fuzzily.
    assert_eq!(ids(&case, &["Bakterein"]), ["de/darm.md#ernährung"]);
    let run = case.search(&["--json", "Bakterein"]).expect_code(0);
    assert_eq!(run.json()["suggestion"], "Bakterien");
    let run = case
        .search(&["--json", "--lang", "fr", "infammations"])
        .expect_code(0);
    assert_eq!(run.json()["suggestion"], "inflammations");
    // Grouped by article, any language.
    let run = case
        .search(&["--json", "--group", "Entzündung Darmflora"])
        .expect_code(0);
    let groups = run.json()["groups"].as_array().unwrap().clone();
    assert_eq!(groups[0]["article"], "de/darm.md");
}

#[test]
fn dry_run_shows_each_articles_language() {
    let case = Case::new();
    case.write("site/de/darm.md", GERMAN);
    case.write("site/fr/sante.html", FRENCH);
    case.write("site/es/salud.jsonl", SPANISH);
    case.write("site/en/gut.txt", ENGLISH);
    let run = case.ingest(&["--dry-run", "--json", "site"]).expect_code(0);
    let mut found: Vec<(String, String)> = run
        .json_lines()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["metadata"]["language"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("de/darm.md".into(), "de".into()),
            ("en/gut.txt".into(), "en".into()),
            ("fr/sante.html".into(), "fr".into()),
            ("salud".into(), "es".into()),
        ]
    );
}

#[test]
fn a_mixed_site_reads_declared_detected_and_default_languages() {
    let case = Case::new();
    // Declared in <html lang>, in a content-language meta, not at all
    // (long enough to tell), and not at all with only a title and a line.
    case.write(
        "site/a.html",
        r#"<html lang="de-DE"><body><main><h1>Darm</h1><p>Die Darmflora schützt uns.</p></main></body></html>"#,
    );
    case.write(
        "site/b.html",
        r#"<html><head><meta http-equiv="content-language" content="es"></head><body><main><h1>Salud</h1><p>La flora intestinal nos protege.</p></main></body></html>"#,
    );
    case.write(
        "site/c.html",
        "<html><body><main><h1>Gesundheit</h1><p>Die Darmflora besteht aus Billionen von Bakterien, \
         die im Darm leben und bei der Verdauung helfen. Sie schützt uns vor Krankheitserregern \
         und trainiert das Immunsystem.</p></main></body></html>",
    );
    case.write(
        "site/d.html",
        "<html><body><main><h1>Probiotika</h1><p>Kurz.</p></main></body></html>",
    );
    let languages = |extra: &[&str]| {
        let mut args = vec!["--dry-run", "--json"];
        args.extend_from_slice(extra);
        args.push("site");
        let run = case.ingest(&args).expect_code(0);
        let mut out: Vec<(String, Option<String>)> = run
            .json_lines()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().to_string(),
                    a["metadata"]["language"].as_str().map(str::to_string),
                )
            })
            .collect();
        out.sort();
        out
    };
    let said = |s: &str| Some(s.to_string());
    assert_eq!(
        languages(&[]),
        [
            ("a.html".into(), said("de")),
            ("b.html".into(), said("es")),
            ("c.html".into(), said("de")),
            ("d.html".into(), None),
        ]
    );
    assert_eq!(
        languages(&["--lang", "fr"]),
        [
            ("a.html".into(), said("de")),
            ("b.html".into(), said("es")),
            ("c.html".into(), said("de")),
            ("d.html".into(), said("fr")),
        ],
        "only the page that cannot tell takes the default"
    );

    // Indexed together: a German query finds the German pages, declared
    // or detected, through the German stemmer.
    case.ingest(&["--lang", "fr", "site"]).expect_code(0);
    let mut found = ids(&case, &["Darmflora"]);
    found.sort();
    assert_eq!(found, ["a.html", "c.html"]);
}

#[test]
fn short_texts_fall_back_to_the_default_rather_than_a_guess() {
    let case = Case::new();
    // A title and a few words: whatlang would answer, but not reliably.
    case.write("notes/darmflora.md", "# Darmflora\n\nGut zu wissen.\n");
    case.write("notes/ensalada.txt", "Ensalada\n\nMuy rica.\n");
    let run = case
        .ingest(&["--dry-run", "--json", "--lang", "es", "notes"])
        .expect_code(0);
    for article in run.json_lines() {
        assert_eq!(article["metadata"]["language"], "es", "{article}");
    }
    let run = case
        .ingest(&["--dry-run", "--json", "notes"])
        .expect_code(0);
    for article in run.json_lines() {
        assert!(article["metadata"]["language"].is_null(), "{article}");
    }
    let run = case.ingest(&["--dry-run", "--lang", "12", "notes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--lang"), "{}", run.stderr);
}

#[test]
fn a_new_default_language_reads_the_sources_again() {
    let case = Case::new();
    case.write("notes/darmflora.md", "# Darmflora\n\nGut zu wissen.\n");
    case.ingest(&["notes"]).expect_code(0);
    assert_eq!(hits(&case, &["darmflora"])[0].1, "");
    case.ingest(&["--lang", "de", "notes"]).expect_code(0);
    assert_eq!(hits(&case, &["darmflora"])[0].1, "de");
}

#[test]
fn an_english_index_that_gains_a_german_article_finds_both() {
    let case = Case::new();
    case.write("site/en/gut.txt", ENGLISH);
    case.ingest(&["site"]).expect_code(0);
    assert_eq!(
        ids(&case, &["inflammation child"]),
        ["en/gut.txt#inflammation-in-children"]
    );
    let english_only = std::fs::read_to_string(case.index().join("meta.json")).unwrap();
    assert!(
        !english_only.contains("text_de"),
        "an English index has English fields only"
    );

    // The German article arrives: its fields are added and the run goes on.
    case.write("site/de/darm.md", GERMAN);
    let run = case.ingest(&["--json", "site"]).expect_code(0);
    assert!(run.stderr.contains("\"de\""), "{}", run.stderr);
    let summary = run.json();
    assert_eq!(
        (summary["added"].as_u64(), summary["unchanged"].as_u64()),
        (Some(1), Some(1)),
        "{summary}"
    );
    assert_eq!(
        hits(&case, &["Entzündung Kind"])[0],
        (
            "de/darm.md#entzündungen-bei-kindern".to_string(),
            "de".to_string()
        )
    );
    assert_eq!(
        ids(&case, &["inflammation child"]),
        ["en/gut.txt#inflammation-in-children"]
    );
    assert!(!case.index().join(".rubric-next").exists());

    // A run over one new file only (not every source): the others stay.
    case.write("elsewhere/sante.html", FRENCH);
    let run = case.ingest(&["elsewhere"]).expect_code(0);
    assert!(run.stderr.contains("\"fr\""), "{}", run.stderr);
    assert_eq!(
        hits(&case, &["inflammation enfant"])[0].1,
        "fr",
        "the French article"
    );
    assert_eq!(hits(&case, &["Entzündung Kind"])[0].1, "de");
    assert_eq!(
        ids(&case, &["inflammation child"])[0],
        "en/gut.txt#inflammation-in-children"
    );
    // Nothing more to add the next time.
    let run = case.ingest(&["site"]).expect_code(0);
    assert!(!run.stderr.contains("added its fields"), "{}", run.stderr);
}

#[test]
fn lang_in_the_config_file_is_the_default_and_the_flag_wins() {
    let case = Case::new();
    case.write("notes/darmflora.md", "# Darmflora\n\nGut zu wissen.\n");
    case.write("rubric.toml", "sources = [\"notes\"]\nlang = \"de-DE\"\n");
    let dry = |args: &[&str]| {
        let mut all = vec!["--dry-run", "--json"];
        all.extend_from_slice(args);
        let run = case.run(crate::harness::bin("ingest"), &all, false);
        run.expect_code(0).json_lines()[0]["metadata"]["language"].clone()
    };
    assert_eq!(dry(&[]), "de");
    assert_eq!(dry(&["--lang", "es"]), "es", "the flag wins over the file");

    case.write("rubric.toml", "sources = [\"notes\"]\nlang = \"12\"\n");
    let run = case.run(crate::harness::bin("ingest"), &["--dry-run"], false);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("lang in rubric.toml"),
        "names the key and the file: {}",
        run.stderr
    );
}
