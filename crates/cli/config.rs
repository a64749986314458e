//! `rubric.toml`, the project's configuration file, read by both binaries:
//! the sources, the index, the site URL, which files to take, web
//! politeness and the server address, so that `ingest`, `ingest --check`,
//! `search` and CI all run without flags. Layered as Pagefind's
//! `options.rs` does: a flag given wins over the file, the file over the
//! defaults (a list given as flags replaces the file's list). Unknown keys
//! are an error naming the key and the file (serde's
//! `deny_unknown_fields`, parsed with the `toml` crate), so a typo is never
//! silently ignored.
//!
//! The file is `--config FILE`, else `rubric.toml` in the current folder
//! when there is one. Paths in it are relative to the folder it is in.
//! Included by each binary with `#[path]`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The file looked for in the current folder when `--config` is not given.
pub const FILE: &str = "rubric.toml";

/// What `rubric.toml` may say. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Files, folders and URLs to ingest.
    pub sources: Option<Vec<PathBuf>>,
    /// The index folder.
    pub index: Option<PathBuf>,
    /// Where the sources are published (`--site-url`).
    pub site_url: Option<String>,
    /// `a/b.html` is served as `a/b/` (`--pretty-urls`).
    pub pretty_urls: Option<bool>,
    /// Only files matching these globs (`--glob`).
    pub glob: Option<Vec<String>>,
    /// Files and folders left out (`--exclude`).
    pub exclude: Option<Vec<String>>,
    /// Files larger than this many MB are refused (`--max-file-mb`).
    pub max_file_mb: Option<u64>,
    /// Give sections vectors (`--semantic`): `true` (the index's own model,
    /// else the default folder) or a model folder.
    pub semantic: Option<Semantic>,
    /// Tokens of each section the model reads (`--semantic-tokens`).
    pub semantic_tokens: Option<u16>,
    /// The language of articles that cannot say theirs (`--lang`).
    pub lang: Option<String>,
    /// Web sources and politeness.
    #[serde(default)]
    pub web: Web,
    /// `search --serve`.
    #[serde(default)]
    pub serve: Serve,
}

/// `semantic = true | false | "MODEL_DIR"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Semantic {
    /// On (the default model) or not asked for.
    On(bool),
    /// On, with the model in this folder (relative to the file).
    Model(PathBuf),
}

/// `[web]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Web {
    /// Files of URLs (`--urls`).
    pub urls: Option<Vec<PathBuf>>,
    /// Sitemaps (`--sitemap`).
    pub sitemap: Option<Vec<String>>,
    /// Milliseconds between two requests to one host (`--delay`).
    pub delay_ms: Option<u64>,
    /// Seconds before a request times out (`--timeout`).
    pub timeout_secs: Option<f64>,
    /// Retries of a failed request (`--retries`).
    pub retries: Option<u32>,
    /// Pages larger than this many MB are refused (`--max-page-mb`).
    pub max_page_mb: Option<u64>,
    /// Requests in flight (`--jobs` for web pages).
    pub jobs: Option<u16>,
}

/// `[serve]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Serve {
    /// The address `--serve` listens on (`PORT`, `:PORT`, `HOST:PORT`).
    pub addr: Option<String>,
    /// The origin allowed to call the API (`--cors`).
    pub cors: Option<String>,
}

/// A configuration and the file it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// What the file says (all empty without a file).
    pub config: Config,
    /// The file, when there was one.
    pub file: Option<PathBuf>,
}

impl Loaded {
    /// Reads `explicit` (which must exist), else `rubric.toml` in the
    /// current folder when there is one, else nothing.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Loaded> {
        let file = match explicit {
            Some(file) => file.to_path_buf(),
            None if Path::new(FILE).is_file() => PathBuf::from(FILE),
            None => return Ok(Loaded::default()),
        };
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read the configuration file {}", file.display()))?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            // toml's message names the key and shows the line; say the file.
            anyhow::anyhow!("{}: {}", file.display(), e.to_string().trim_end())
        })?;
        tracing::debug!("configuration from {}", file.display());
        Ok(Loaded {
            config,
            file: Some(file),
        })
    }

    /// A path the file gives, relative to the folder the file is in.
    pub fn path(&self, path: &Path) -> PathBuf {
        match self.file.as_deref().and_then(Path::parent) {
            Some(dir) if !dir.as_os_str().is_empty() && path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The index folder: the flag's, else the file's, else `index`.
    pub fn index(&self, flag: Option<&Path>) -> PathBuf {
        match (flag, &self.config.index) {
            (Some(flag), _) => flag.to_path_buf(),
            (None, Some(index)) => self.path(index),
            (None, None) => PathBuf::from("index"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = toml::from_str::<Config>("index = \"ix\"\nsite_ur = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("site_ur"), "{err}");
        let err = toml::from_str::<Config>("[web]\ndelay = 3\n").unwrap_err();
        assert!(err.to_string().contains("delay"), "{err}");
    }

    #[test]
    fn semantic_is_a_switch_or_a_model_folder() {
        let read = |text: &str| toml::from_str::<Config>(text).unwrap();
        assert_eq!(read("semantic = true\n").semantic, Some(Semantic::On(true)));
        assert_eq!(
            read("semantic = \"models/m\"\nsemantic-tokens = 64\n").semantic,
            Some(Semantic::Model(PathBuf::from("models/m")))
        );
        assert_eq!(read("semantic-tokens = 64\n").semantic_tokens, Some(64));
        assert!(toml::from_str::<Config>("semantic = 3\n").is_err());
    }

    #[test]
    fn paths_are_relative_to_the_file() {
        let loaded = Loaded {
            config: toml::from_str("index = \"ix\"\n").unwrap(),
            file: Some(PathBuf::from("site/rubric.toml")),
        };
        assert_eq!(loaded.index(None), Path::new("site/ix"));
        assert_eq!(loaded.index(Some(Path::new("other"))), Path::new("other"));
        assert_eq!(Loaded::default().index(None), Path::new("index"));
    }
}
