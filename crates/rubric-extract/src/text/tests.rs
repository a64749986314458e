//! Tests of the plain-text extractor: headings, outlines, lists, furniture.

use super::*;
use rubric_core::Section;

/// Extracts `text` as `notes.txt`.
fn parse(text: &str) -> Draft {
    let input = Input::new(
        "notes.txt",
        "corpus/notes.txt",
        crate::Format::Text,
        text.as_bytes(),
    );
    match extract(&input) {
        Ok(article) => article,
        Err(e) => panic!("extract failed: {e}"),
    }
}

/// The outline as `level heading [path] | text` lines; the lead is `1 - | text`.
fn outline_of(text: &str) -> Vec<String> {
    parse(text).sections.iter().map(describe).collect()
}

fn describe(s: &Section) -> String {
    let path = s.path.join(" > ");
    let heading = s.heading.as_deref().unwrap_or("-");
    format!(
        "{} {heading} [{path}] | {}",
        s.level,
        s.text.replace('\n', " / ")
    )
}

const EXAMPLE: &str = include_str!("../../../../corpus/gut-skin-axis.txt");

#[test]
fn example_article_outline() {
    let input = Input::new(
        "gut-skin-axis.txt",
        "corpus/gut-skin-axis.txt",
        crate::Format::Text,
        EXAMPLE.as_bytes(),
    );
    let article = extract(&input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        article.title, "Gut skin axis",
        "the first line is a paragraph"
    );
    let s = &article.sections;
    let headings: Vec<_> = s
        .iter()
        .map(|s| (s.level, s.heading.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        headings,
        [
            (1, ""),
            (2, "What Is the Gut Microbiome?"),
            (2, "The Gut-Skin Axis: A Two-Way Street"),
            (2, "Skin Conditions Linked to Gut Health"),
            (3, "1. Acne"),
            (3, "2. Eczema (Atopic Dermatitis)"),
            (3, "3. Psoriasis"),
            (3, "4. Rosacea"),
            (2, "How to Support Your Gut\u{2014}and Your Skin"),
            (2, "Conclusion"),
        ]
    );
    let conditions = ["Skin Conditions Linked to Gut Health".to_string()];
    for (i, section) in s.iter().enumerate() {
        let want: &[String] = if (4..=7).contains(&i) {
            &conditions
        } else {
            &[]
        };
        assert_eq!(section.path, want, "path of {:?}", section.heading);
        assert_eq!(section.ordinal as usize, i);
    }
    assert_eq!(s[0].anchor, "");
    assert_eq!(s[5].anchor, "2-eczema-atopic-dermatitis");
    assert_eq!(s[8].anchor, "how-to-support-your-gutand-your-skin");
    assert!(s[0].text.starts_with("You might think of your gut"));
    assert!(s[0].text.ends_with("like acne, eczema, and psoriasis."));
    assert_eq!(s[0].text.lines().count(), 2);
    assert_eq!(s[3].text, "", "a heading with no text of its own");
    assert!(s[2].text.contains("\n- Immune Regulation:"));
    assert!(s[8].text.starts_with("- Eat a fiber-rich diet:"));
    assert!(
        s[9].text
            .ends_with("from the inside out.\nHealthy gut, glowing skin.")
    );
    let all: String = s.iter().map(|s| s.text.as_str()).collect();
    assert!(!all.contains("Leave a comment"));
}

#[test]
fn blank_line_paragraphs() {
    assert_eq!(
        outline_of("Intro text here.\n\nBackground\n\nFirst paragraph.\n\nSecond paragraph.\n"),
        [
            "1 - [] | Intro text here.",
            "2 Background [] | First paragraph. / Second paragraph."
        ]
    );
}

#[test]
fn no_headings_is_one_lead() {
    let text = "Asthma is a disease of the airways.\n\nIt affects many people. Treatment helps.\n\nIn 2019 it affected 262 million people.\n";
    let a = parse(text);
    assert_eq!(a.title, "Notes");
    assert_eq!(a.sections.len(), 1);
    assert_eq!(a.sections[0].text.lines().count(), 3);
}

#[test]
fn hard_wrapped_lines_are_joined() {
    assert_eq!(
        outline_of("The gut and the skin are\nconnected in many ways.\nA new paragraph.\n"),
        ["1 - [] | The gut and the skin are connected in many ways. / A new paragraph."]
    );
}

#[test]
fn underlined_headings() {
    assert_eq!(
        outline_of("Lead.\n\nPart One\n========\n\nText one.\n\nDetails\n-------\n\nText two.\n"),
        [
            "1 - [] | Lead.",
            "2 Part One [] | Text one.",
            "3 Details [Part One] | Text two."
        ]
    );
}

#[test]
fn list_lead_in_stays_text() {
    assert_eq!(
        outline_of("Lead.\nSymptoms\nCommon symptoms include\n- bloating\n- gas\nMore text.\n"),
        [
            "1 - [] | Lead.",
            "2 Symptoms [] | Common symptoms include / - bloating / - gas / More text."
        ]
    );
}

#[test]
fn title_line_at_top() {
    let a = parse("Lactose Intolerance\n\nWhat causes it?\n\nA missing enzyme.\n");
    assert_eq!(a.title, "Lactose Intolerance");
    assert_eq!(
        a.sections.iter().map(describe).collect::<Vec<_>>(),
        ["2 What causes it? [] | A missing enzyme."]
    );
}

#[test]
fn plain_headings_nest_under_questions() {
    assert_eq!(
        outline_of(
            "Topic\nWhat is it?\nA thing.\nWhat are the treatments?\nSome help.\nMedical Treatment\nDoctors help.\nWhat to do?\n- rest\n"
        ),
        [
            "2 What is it? [] | A thing.",
            "2 What are the treatments? [] | Some help.",
            "3 Medical Treatment [What are the treatments?] | Doctors help.",
            "2 What to do? [] | - rest",
        ]
    );
}

#[test]
fn plain_headings_nest_under_an_empty_caps_heading() {
    assert_eq!(
        outline_of(
            "Lead.\n\nSYMPTOMS\n\nEarly Signs\n\nFever.\n\nLate Signs\n\nRash.\n\nTREATMENT\n\nRest.\n"
        ),
        [
            "1 - [] | Lead.",
            "2 SYMPTOMS [] | ",
            "3 Early Signs [SYMPTOMS] | Fever.",
            "3 Late Signs [SYMPTOMS] | Rash.",
            "2 TREATMENT [] | Rest.",
        ]
    );
}

#[test]
fn numbered_headings_nest_by_depth() {
    assert_eq!(
        outline_of(
            "Report\n\n1. Results\n\n1.1 Revenue\n\nUp.\n\n1.2 Costs\n\nFlat.\n\n2. Outlook\n\nGood.\n"
        ),
        [
            "2 1. Results [] | ",
            "3 1.1 Revenue [1. Results] | Up.",
            "3 1.2 Costs [1. Results] | Flat.",
            "2 2. Outlook [] | Good.",
        ]
    );
}

#[test]
fn headings_that_look_alike_are_siblings() {
    assert_eq!(
        outline_of("Lead.\nWhat is sourdough?\nA bread.\nHow to start a starter\nMix flour.\n"),
        [
            "1 - [] | Lead.",
            "2 What is sourdough? [] | A bread.",
            "2 How to start a starter [] | Mix flour.",
        ]
    );
}

#[test]
fn windows_line_endings() {
    assert_eq!(
        outline_of("Lead.\r\n\r\nUsage\r\n\r\nRun it.\r\n"),
        ["1 - [] | Lead.", "2 Usage [] | Run it."]
    );
}

#[test]
fn numbered_list_stays_text() {
    assert_eq!(
        outline_of("Lead.\nSteps\n1. Preheat the oven\n2. Mix the flour\nThen bake it.\n"),
        [
            "1 - [] | Lead.",
            "2 Steps [] | 1. Preheat the oven / 2. Mix the flour / Then bake it."
        ]
    );
}

#[test]
fn closing_sentence_kept_and_call_to_action_dropped() {
    assert_eq!(
        outline_of("Lead.\nConclusion\nAll done.\nSee you.\n\nShare this\nLeave a comment\n"),
        ["1 - [] | Lead.", "2 Conclusion [] | All done. / See you."]
    );
}

#[test]
fn bylines_dates_captions_and_rows_stay_text() {
    assert_eq!(
        outline_of(
            "The Guide\nBy Jane Doe\nTuesday, March 3, 2024\nIt is old.\nTable 1. Results\nFlour | Water\n\nMethod\n\nMix it.\n"
        ),
        [
            "1 - [] | By Jane Doe / Tuesday, March 3, 2024 / It is old. / Table 1. Results / Flour | Water",
            "2 Method [] | Mix it."
        ]
    );
}

#[test]
fn skip_links_and_cookie_notices_are_dropped() {
    let a = parse(
        "Skip to content\nThe Guide\nIt is old.\nMethod\nMix it.\nWe use cookies. By continuing you accept them.\n",
    );
    assert_eq!(a.title, "The Guide");
    assert_eq!(
        a.sections.iter().map(describe).collect::<Vec<_>>(),
        ["1 - [] | It is old.", "2 Method [] | Mix it."]
    );
}

#[test]
fn questions_colons_and_caps_headings() {
    assert_eq!(
        outline_of(
            "Lead.\n\nWHAT IS IT\n\nA thing.\n\nKey Points:\n\n- one\n\nWhy does it rise?\n\nYeast.\n"
        ),
        [
            "1 - [] | Lead.",
            "2 WHAT IS IT [] | A thing.",
            "2 Key Points: [] | - one",
            "2 Why does it rise? [] | Yeast."
        ]
    );
}

#[test]
fn short_sentences_and_taglines_are_not_headings() {
    assert_eq!(
        outline_of("Lead.\nIt works.\nSimple, fast, free\nWe think so too.\n"),
        ["1 - [] | Lead. / It works. / Simple, fast, free / We think so too."]
    );
}

#[test]
fn binary_and_broken_utf8_name_the_source() {
    for bytes in [&b"ab\0cd"[..], &b"ok \xff\xfe"[..]] {
        let input = Input::new("x.txt", "dir/x.txt", crate::Format::Text, bytes);
        let Err(e) = extract(&input) else {
            panic!("{bytes:?} extracted")
        };
        assert!(e.to_string().contains("dir/x.txt"), "{e}");
    }
}

#[test]
fn empty_text_is_an_error() {
    let input = Input::new("x.txt", "dir/x.txt", crate::Format::Text, b" \n\n \t\n");
    assert!(matches!(
        extract(&input),
        Err(ExtractError {
            kind: ErrorKind::Empty,
            ..
        })
    ));
}
