//! What an index holds, one line per article, for the fault-injection
//! script (`tests/faults/run`) to compare with what the sources give:
//! `id<TAB>hash<TAB>sections`, ids in order, from the catalog of the last
//! commit (hash) and from the index itself (sections), then a last line
//! `total<TAB>ARTICLES<TAB>SECTIONS` from the reader's counts. Opening the
//! index is part of the check: it fails (exit 2) if the index cannot be
//! read.
//!
//! ```text
//! cargo run --release -p rubric-index --example index_state -- INDEX
//! ```

use std::path::Path;
use std::process::ExitCode;

use rubric_index::{Catalog, IndexReader};

fn main() -> ExitCode {
    let Some(index) = std::env::args().nth(1) else {
        eprintln!("usage: index_state INDEX");
        return ExitCode::from(2);
    };
    match run(Path::new(&index)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("index_state: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(index: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let reader = IndexReader::open(index)?;
    let catalog = Catalog::load(index)?;
    for (id, entry) in catalog.articles() {
        let sections = reader.outline(id, false)?.map_or(0, |o| o.sections.len());
        println!("{id}\t{}\t{sections}", entry.hash);
    }
    let stats = reader.stats()?;
    println!("total\t{}\t{}", stats.articles, stats.sections);
    Ok(())
}
