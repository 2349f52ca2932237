//! Analysis speed against its physical floor: `mekiki::analyze` versus a bare `mail_parser` parse of
//! the same bytes, over a fixed sample of the development corpus (the same files as
//! `mekiki eval --sample 30`), plus the seed message alone.
//!
//! `cargo bench -p mekiki --bench analyze`; the corpus is `shared/corpus` beside the repository, or
//! `MEKIKI_CORPUS`. The ratio of the two `corpus_sample` times is the "analyze ≤ 2× parse" target.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mail_parser::MessageParser;
use mekiki::model::Context;

const SAMPLE_PER_SOURCE: usize = 30;

fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn corpus_sample() -> Vec<Vec<u8>> {
    let root = std::env::var_os("MEKIKI_CORPUS").map(PathBuf::from).unwrap_or_else(|| repo_path("../../shared/corpus"));
    let sources = mekiki::eval::load_tree(&root, Some(SAMPLE_PER_SOURCE))
        .unwrap_or_else(|err| panic!("no corpus at {} (set MEKIKI_CORPUS): {err:#}", root.display()));
    sources
        .iter()
        .flat_map(|s| &s.files)
        .filter_map(|path| std::fs::read(path).ok())
        .filter(|bytes| mekiki::scan::not_a_message(bytes).is_none())
        .collect()
}

fn bench_group(c: &mut Criterion, name: &str, messages: &[Vec<u8>]) {
    let ctx = Context::default();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            for message in messages {
                black_box(MessageParser::new().parse(black_box(message)));
            }
        })
    });
    group.bench_function("analyze", |b| {
        b.iter(|| {
            for message in messages {
                black_box(mekiki::analyze(black_box(message), &ctx));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    // Loads the rule tables once, outside the measurement (the cold start is measured by bench.sh).
    mekiki::analyze(b"Subject: warm-up\n\nhello\n", &Context::default());
    let seed = std::fs::read(repo_path("../../shared/fixtures/seed-kagoya-phish.eml"))
        .or_else(|_| std::fs::read(repo_path("../tests/fixtures/seed-kagoya-phish.eml")))
        .expect("the seed message");
    bench_group(c, "seed", &[seed]);
    bench_group(c, "corpus_sample", &corpus_sample());
}

criterion_group! {
    name = analyze;
    // The whole sample takes tens of milliseconds: fewer, longer samples keep a run near a minute.
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(analyze);
