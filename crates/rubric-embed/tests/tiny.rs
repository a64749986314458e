//! The crate's plumbing on a tiny random model it makes itself
//! (`rubric_embed::testing::TinyModel`): loading, pooling, windows,
//! batching, prefixes, quantisation, fingerprints, copies and errors.

use std::path::Path;

use rubric_embed::testing::TinyModel;
use rubric_embed::{CopyWeights, EmbedError, Model, Pooling, copy_model, fingerprint, quant};
use tempfile::TempDir;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const TEXTS: [&str; 5] = [
    "lactose intolerance after drinking milk",
    "eczema",
    "the gut bacteria and the immune system of children, a study of diet",
    "Why does my tummy hurt?",
    "red green blue",
];

fn write(tiny: &TinyModel) -> Result<TempDir> {
    let dir = tempfile::tempdir()?;
    tiny.write(dir.path())?;
    Ok(dir)
}

fn load(tiny: &TinyModel) -> Result<(TempDir, Model)> {
    let dir = write(tiny)?;
    let model = Model::load(dir.path())?;
    Ok((dir, model))
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn norm(v: &[f32]) -> f32 {
    quant::dot(v, v).sqrt()
}

/// A text of `n` single-token words.
fn words(n: usize) -> String {
    let words = ["milk", "gut", "skin", "diet", "sleep", "heart", "brain"];
    (0..n)
        .map(|i| words[i % words.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn load_reads_the_folder_settings() -> Result {
    let tiny = TinyModel {
        pooling: Pooling::Cls,
        max_seq_length: 20,
        query_prefix: Some("query: ".into()),
        ..TinyModel::default()
    };
    let (dir, model) = load(&tiny)?;
    let info = model.info();
    assert_eq!(info.dimensions, TinyModel::HIDDEN);
    assert_eq!(info.max_tokens, 20);
    assert_eq!(info.pooling, Pooling::Cls);
    assert!(info.normalize);
    assert_eq!(info.query_prefix.as_deref(), Some("query: "));
    assert_eq!(info.passage_prefix, None);
    assert_eq!(info.weights, "f32");
    assert_eq!(info.fingerprint.len(), 64);
    let folder_name = dir
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    assert_eq!(Some(info.name.clone()), folder_name);
    Ok(())
}

#[test]
fn window_defaults_to_the_position_limit_without_sentence_bert_config() -> Result {
    let dir = write(&TinyModel::default())?;
    std::fs::remove_file(dir.path().join("sentence_bert_config.json"))?;
    let model = Model::load(dir.path())?;
    assert_eq!(model.info().max_tokens, TinyModel::MAX_POSITIONS);
    Ok(())
}

#[test]
fn normalised_vectors_have_length_one() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    for v in model.embed_passages(&TEXTS)? {
        assert!((norm(&v) - 1.0).abs() < 1e-5);
    }
    let (_dir, raw) = load(&TinyModel {
        normalize: false,
        ..TinyModel::default()
    })?;
    let v = raw.embed_query("milk")?;
    assert!((norm(&v) - 1.0).abs() > 1e-2, "norm {}", norm(&v));
    Ok(())
}

#[test]
fn pooling_modes_differ_and_max_bounds_mean() -> Result {
    let pooled = |pooling| -> Result<Vec<Vec<f32>>> {
        let (_dir, model) = load(&TinyModel {
            pooling,
            normalize: false,
            ..TinyModel::default()
        })?;
        Ok(model.embed_passages(&TEXTS)?)
    };
    let (mean, cls, max) = (
        pooled(Pooling::Mean)?,
        pooled(Pooling::Cls)?,
        pooled(Pooling::Max)?,
    );
    for i in 0..TEXTS.len() {
        assert!(max_diff(&mean[i], &cls[i]) > 1e-3);
        assert!(max_diff(&mean[i], &max[i]) > 1e-3);
        // A maximum over the tokens is at least their mean, per dimension.
        for (m, x) in mean[i].iter().zip(&max[i]) {
            assert!(x + 1e-5 >= *m, "max {x} < mean {m}");
        }
    }
    Ok(())
}

#[test]
fn cls_pooling_sees_the_whole_text_through_attention() -> Result {
    // With CLS pooling, a one-word change still moves the vector (attention
    // reaches [CLS]); mean pooling of the same texts moves it too.
    let (_dir, model) = load(&TinyModel {
        pooling: Pooling::Cls,
        ..TinyModel::default()
    })?;
    let v = model.embed_passages(&["milk and cheese", "milk and bread"])?;
    assert!(max_diff(&v[0], &v[1]) > 1e-4);
    Ok(())
}

#[test]
fn texts_are_cut_to_the_window() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let model = model.with_max_tokens(8)?;
    assert_eq!(model.info().max_tokens, 8);
    // [CLS] + 6 words + [SEP]: the same first 6 words make the same vector.
    let long = words(30);
    let other_tail = format!("{} cat dog house", words(6));
    let v = model.embed_passages(&[long.as_str(), other_tail.as_str()])?;
    assert!(max_diff(&v[0], &v[1]) < 1e-6);
    // With a wider window the tails count.
    let model = model.with_max_tokens(40)?;
    let v = model.embed_passages(&[long.as_str(), other_tail.as_str()])?;
    assert!(max_diff(&v[0], &v[1]) > 1e-3);
    Ok(())
}

#[test]
fn texts_past_every_window_are_cut_not_refused() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let model = model.with_max_tokens(TinyModel::MAX_POSITIONS)?;
    let v = model.embed_passages(&[words(500)])?;
    assert_eq!(v[0].len(), TinyModel::HIDDEN);
    Ok(())
}

#[test]
fn a_window_the_model_cannot_take_is_an_error() -> Result {
    let (dir, model) = load(&TinyModel::default())?;
    let err = model
        .with_max_tokens(TinyModel::MAX_POSITIONS + 1)
        .expect_err("too many positions");
    assert!(matches!(
        err,
        EmbedError::MaxTokens {
            requested: 65,
            limit: 64,
            ..
        }
    ));
    assert!(err.to_string().contains(&dir.path().display().to_string()));
    let model = Model::load(dir.path())?;
    assert!(model.with_max_tokens(1).is_err());
    Ok(())
}

#[test]
fn a_batch_equals_one_text_at_a_time() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let model = model.with_batch_size(3);
    let batched = model.embed_passages(&TEXTS)?;
    assert_eq!(batched.len(), TEXTS.len());
    for (text, v) in TEXTS.iter().zip(&batched) {
        let alone = model.embed_passages(&[*text])?;
        assert!(max_diff(v, &alone[0]) < 1e-5, "{text:?}");
    }
    assert!(model.embed_passages::<&str>(&[])?.is_empty());
    Ok(())
}

#[test]
fn the_batch_size_does_not_change_the_vectors() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let a = model.embed_passages(&TEXTS)?;
    let model = model.with_batch_size(1);
    let b = model.embed_passages(&TEXTS)?;
    for (a, b) in a.iter().zip(&b) {
        assert!(max_diff(a, b) < 1e-5);
    }
    Ok(())
}

#[test]
fn prefixes_go_before_queries_and_passages() -> Result {
    let (_dir, model) = load(&TinyModel {
        query_prefix: Some("query: ".into()),
        passage_prefix: Some("passage: ".into()),
        ..TinyModel::default()
    })?;
    let query = model.embed_query("milk")?;
    let passage = model.embed_passages(&["milk"])?.remove(0);
    assert!(max_diff(&query, &passage) > 1e-3);

    let plain = model.with_prefixes(None, None);
    let by_hand = plain.embed_passages(&["query: milk", "passage: milk"])?;
    assert!(max_diff(&query, &by_hand[0]) < 1e-6);
    assert!(max_diff(&passage, &by_hand[1]) < 1e-6);
    assert!(
        max_diff(
            &plain.embed_query("milk")?,
            &plain.embed_passages(&["milk"])?[0]
        ) < 1e-6
    );
    Ok(())
}

#[test]
fn with_prefixes_changes_the_fingerprint() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let before = model.info().fingerprint.clone();
    let model = model.with_prefixes(Some("query: "), None);
    assert_ne!(model.info().fingerprint, before);
    let model = model.with_prefixes(None, Some(""));
    assert_eq!(
        model.info().fingerprint,
        before,
        "empty prefixes are no prefixes"
    );
    Ok(())
}

#[test]
fn the_fingerprint_follows_the_weights_and_nothing_else() -> Result {
    let (_a, a) = load(&TinyModel::default())?;
    let (_b, b) = load(&TinyModel::default())?;
    let (_c, c) = load(&TinyModel {
        seed: 2,
        ..TinyModel::default()
    })?;
    assert_eq!(
        a.info().fingerprint,
        b.info().fingerprint,
        "same files, other folder"
    );
    assert_ne!(a.info().fingerprint, c.info().fingerprint, "other weights");
    assert!(max_diff(&a.embed_query("milk")?, &c.embed_query("milk")?) > 1e-3);
    // The window is recorded apart and does not change the fingerprint.
    let a = a.with_max_tokens(16)?;
    assert_eq!(a.info().fingerprint, b.info().fingerprint);
    Ok(())
}

#[test]
fn fingerprint_without_loading_is_what_loading_gives() -> Result {
    for tiny in [
        TinyModel::default(),
        TinyModel {
            seed: 3,
            pooling: Pooling::Cls,
            query_prefix: Some("query: ".into()),
            f16: true,
            ..TinyModel::default()
        },
    ] {
        let (dir, model) = load(&tiny)?;
        assert_eq!(fingerprint(dir.path())?, model.info().fingerprint);
    }
    let dir = write(&TinyModel::default())?;
    let copy = tempfile::tempdir()?;
    copy_model(dir.path(), copy.path(), CopyWeights::F16)?;
    assert_eq!(
        fingerprint(copy.path())?,
        Model::load(copy.path())?.info().fingerprint
    );
    Ok(())
}

#[test]
fn f16_weights_load_and_embed_like_f32() -> Result {
    let (_a, f32_model) = load(&TinyModel::default())?;
    let (_b, f16_model) = load(&TinyModel {
        f16: true,
        ..TinyModel::default()
    })?;
    assert_eq!(f16_model.info().weights, "f16");
    assert_ne!(f32_model.info().fingerprint, f16_model.info().fingerprint);
    let a = f32_model.embed_passages(&TEXTS)?;
    let b = f16_model.embed_passages(&TEXTS)?;
    for (a, b) in a.iter().zip(&b) {
        assert!(quant::cosine(a, b) > 0.999);
    }
    Ok(())
}

#[test]
fn a_copy_as_is_is_the_same_model_under_the_same_name() -> Result {
    let (src, model) = load(&TinyModel::default())?;
    let dst = tempfile::tempdir()?;
    let into = dst.path().join("model");
    copy_model(src.path(), &into, CopyWeights::AsIs)?;
    let copy = Model::load(&into)?;
    assert_eq!(copy.info(), model.info());
    // Only what the loader reads, plus the note with the name.
    let mut files = list(&into);
    files.sort();
    assert_eq!(
        files,
        [
            "1_Pooling/config.json",
            "config.json",
            "config_sentence_transformers.json",
            "model.safetensors",
            "modules.json",
            "rubric-embed.json",
            "sentence_bert_config.json",
            "tokenizer.json",
        ]
    );
    Ok(())
}

fn list(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            let sub = entry.file_name().to_string_lossy().into_owned();
            out.extend(list(&path).into_iter().map(|f| format!("{sub}/{f}")));
        } else {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn an_f16_copy_is_half_the_size_and_embeds_the_same() -> Result {
    let (src, model) = load(&TinyModel::default())?;
    let dst = tempfile::tempdir()?;
    copy_model(src.path(), dst.path(), CopyWeights::F16)?;
    let copy = Model::load(dst.path())?;
    assert_eq!(copy.info().weights, "f16");
    assert_eq!(copy.info().name, model.info().name);
    assert_ne!(copy.info().fingerprint, model.info().fingerprint);
    let size = |dir: &Path| std::fs::metadata(dir.join("model.safetensors")).map(|m| m.len());
    assert!(size(dst.path())? * 10 < size(src.path())? * 6);
    let a = model.embed_passages(&TEXTS)?;
    let b = copy.embed_passages(&TEXTS)?;
    for (a, b) in a.iter().zip(&b) {
        assert!(quant::cosine(a, b) > 0.999);
    }
    // A copy of a copy keeps the name.
    let again = tempfile::tempdir()?;
    copy_model(dst.path(), again.path(), CopyWeights::AsIs)?;
    assert_eq!(Model::load(again.path())?.info(), copy.info());
    Ok(())
}

#[test]
fn int8_round_trip_stays_within_half_a_step() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let vectors = model.embed_passages(&TEXTS)?;
    let scales = quant::Int8Scales::fit(&vectors).ok_or("no vectors")?;
    assert_eq!(scales.dimensions(), TinyModel::HIDDEN);
    let query = model.embed_query("milk after the gut study")?;
    for v in &vectors {
        let q = scales.quantize(v);
        let back = scales.dequantize(&quant::int8_from_bytes(&quant::int8_to_bytes(&q)));
        for ((x, y), s) in v.iter().zip(&back).zip(scales.scales()) {
            assert!((x - y).abs() <= s / 2.0 + 1e-7);
        }
        assert!((scales.dot(&query, &q) - quant::dot(&query, &back)).abs() < 1e-5);
        assert!((scales.cosine(&query, &q) - quant::cosine(&query, v)).abs() < 0.02);
    }
    Ok(())
}

#[test]
fn binary_keeps_the_signs_and_roughly_the_ranking() -> Result {
    let (_dir, model) = load(&TinyModel::default())?;
    let vectors = model.embed_passages(&TEXTS)?;
    let query = model.embed_passages(&[TEXTS[2]])?.remove(0);
    let mut best = (f32::MIN, 0);
    for (i, v) in vectors.iter().enumerate() {
        let bits = quant::binarize(v);
        assert_eq!(bits.len(), TinyModel::HIDDEN / 8);
        let signs = quant::unbinarize(&bits, v.len());
        for (x, s) in v.iter().zip(&signs) {
            assert_eq!(*s > 0.0, *x > 0.0);
        }
        assert!((quant::binary_dot(&query, &bits) - quant::dot(&query, &signs)).abs() < 1e-5);
        assert_eq!(quant::hamming(&bits, &bits), 0);
        let score = quant::binary_cosine(&query, &bits);
        if score > best.0 {
            best = (score, i);
        }
    }
    assert_eq!(
        best.1, 2,
        "a text is its own nearest neighbour, even in bits"
    );
    Ok(())
}

#[test]
fn model_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Model>();
}

// Errors: each names the file.

fn load_err(dir: &Path) -> EmbedError {
    match Model::load(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn a_missing_folder_is_named() {
    let err = load_err(Path::new("/nonexistent/model"));
    assert!(matches!(err, EmbedError::Missing { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/model"), "{err}");
}

#[test]
fn each_missing_file_is_named() -> Result {
    for file in ["config.json", "tokenizer.json", "model.safetensors"] {
        let dir = write(&TinyModel::default())?;
        std::fs::remove_file(dir.path().join(file))?;
        let err = load_err(dir.path());
        assert!(matches!(err, EmbedError::Missing { .. }), "{err}");
        assert!(err.to_string().contains(file), "{err}");
    }
    Ok(())
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> Result {
    let mut value: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    edit(&mut value);
    std::fs::write(path, serde_json::to_vec(&value)?)?;
    Ok(())
}

#[test]
fn a_config_that_is_not_json_is_named() -> Result {
    let dir = write(&TinyModel::default())?;
    std::fs::write(dir.path().join("config.json"), "{ not json")?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Json { .. }), "{err}");
    assert!(err.to_string().contains("config.json"), "{err}");
    Ok(())
}

#[test]
fn a_config_with_impossible_sizes_is_refused() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("config.json"), |c| {
        c["num_attention_heads"] = 5.into();
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Config { .. }), "{err}");
    assert!(err.to_string().contains("num_attention_heads 5"), "{err}");
    Ok(())
}

#[test]
fn a_config_missing_a_field_is_named() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("config.json"), |c| {
        c.as_object_mut().map(|c| c.remove("hidden_size"));
    })?;
    let err = load_err(dir.path());
    assert!(err.to_string().contains("hidden_size"), "{err}");
    Ok(())
}

#[test]
fn a_roberta_model_is_refused_not_run_wrongly() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("config.json"), |c| {
        c["model_type"] = "roberta".into();
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("roberta"), "{err}");
    Ok(())
}

#[test]
fn a_tokenizer_larger_than_the_model_is_refused() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("config.json"), |c| {
        c["vocab_size"] = 50.into();
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Tokenizer { .. }), "{err}");
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
    assert!(err.to_string().contains("do not match"), "{err}");
    Ok(())
}

#[test]
fn a_tokenizer_that_adds_no_cls_is_refused() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("tokenizer.json"), |t| {
        t["post_processor"] = serde_json::Value::Null;
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Tokenizer { .. }), "{err}");
    assert!(err.to_string().contains("[CLS]"), "{err}");
    Ok(())
}

#[test]
fn a_tokenizer_that_is_not_one_is_named() -> Result {
    let dir = write(&TinyModel::default())?;
    std::fs::write(dir.path().join("tokenizer.json"), r#"{"model": 3}"#)?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Tokenizer { .. }), "{err}");
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
    Ok(())
}

#[test]
fn weights_that_do_not_fit_the_config_name_the_file() -> Result {
    let dir = write(&TinyModel::default())?;
    // Another tiny model's weights with a wider config: shapes disagree.
    edit_json(&dir.path().join("config.json"), |c| {
        c["intermediate_size"] = 96.into();
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Weights { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    Ok(())
}

#[test]
fn weights_that_are_not_safetensors_name_the_file() -> Result {
    let dir = write(&TinyModel::default())?;
    std::fs::write(dir.path().join("model.safetensors"), b"not safetensors")?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Weights { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    Ok(())
}

#[test]
fn truncated_weights_name_the_file() -> Result {
    let dir = write(&TinyModel::default())?;
    let path = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&path)?;
    std::fs::write(&path, &bytes[..bytes.len() - 100])?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Weights { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    assert!(err.to_string().contains("bytes of data"), "{err}");
    Ok(())
}

#[test]
fn a_dense_module_is_refused() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("modules.json"), |m| {
        if let Some(modules) = m.as_array_mut() {
            modules.insert(
                2,
                serde_json::json!({"idx": 2, "name": "2", "path": "2_Dense",
                                   "type": "sentence_transformers.models.Dense"}),
            );
        }
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("Dense"), "{err}");
    Ok(())
}

#[test]
fn combined_pooling_modes_are_refused() -> Result {
    let dir = write(&TinyModel::default())?;
    edit_json(&dir.path().join("1_Pooling/config.json"), |p| {
        p["pooling_mode_cls_token"] = true.into();
    })?;
    let err = load_err(dir.path());
    assert!(matches!(err, EmbedError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("1_Pooling"), "{err}");
    Ok(())
}

#[test]
fn copying_a_broken_folder_fails_before_writing() -> Result {
    let src = write(&TinyModel::default())?;
    std::fs::remove_file(src.path().join("tokenizer.json"))?;
    let dst = tempfile::tempdir()?;
    let into = dst.path().join("model");
    let err = copy_model(src.path(), &into, CopyWeights::F16).expect_err("broken source");
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
    assert!(!into.exists());
    Ok(())
}

#[test]
fn a_model_loaded_with_its_known_fingerprint_embeds_as_the_hashed_one() -> Result {
    let (dir, hashed) = load(&TinyModel::default())?;
    let known = Model::load_known(dir.path(), &hashed.info().fingerprint)?;
    assert_eq!(known.info(), hashed.info());
    for text in TEXTS {
        assert!(max_diff(&known.embed_query(text)?, &hashed.embed_query(text)?) < 1e-6);
    }
    // Nothing is hashed: the fingerprint is the caller's word.
    let told = Model::load_known(dir.path(), "recorded")?;
    assert_eq!(told.info().fingerprint, "recorded");
    // Prefixes change vectors, and a known fingerprint cannot follow them.
    let prefixed = told.with_prefixes(Some("query: "), None);
    assert_eq!(prefixed.info().fingerprint, "");
    Ok(())
}
