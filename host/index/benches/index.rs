//! Timings of the index at 10,000 and 100,000 documents of one user, and the recall of the
//! two-pass nearest-neighbour search against the exact scan.
//!
//! Run (release): `cargo bench --manifest-path host/index/Cargo.toml --bench index`
//! Pass sizes to run only those: `... --bench index -- 10000`.
//!
//! The data is synthetic and seeded, so runs are comparable: 384-dimensional unit vectors in
//! 64 clusters (like sentence embeddings: near neighbours exist and are close together), and
//! texts of 20 words drawn with Zipf frequencies from a 5,000-word vocabulary (so some query
//! words are in most documents, the expensive case for BM25).

use std::time::{Duration, Instant};

use dcmaid_index::Index;

const DIMENSIONS: usize = 384;
const CLUSTERS: usize = 64;
const VOCABULARY: usize = 5_000;
const WORDS_PER_TEXT: usize = 20;
const QUERIES: usize = 200;
const LIMIT: usize = 20;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    for size in sizes {
        bench(size);
    }
}

fn bench(size: usize) {
    println!("== {size} documents of one user ({DIMENSIONS} dimensions, {VOCABULARY} words)");
    let mut random = Random(size as u64);
    let data = Data::new(&mut random);
    let user = vec![("user".to_owned(), "web:alice".to_owned())];
    let documents: Vec<(Vec<f32>, String)> =
        (0..size).map(|_| (data.clustered(&mut random), data.text(&mut random))).collect();

    let mut index = Index::new(Some(DIMENSIONS));
    let start = Instant::now();
    for (n, (vector, text)) in documents.iter().enumerate() {
        index.upsert(&format!("doc:{n:06}"), &user, Some(vector), Some(text));
    }
    let elapsed = start.elapsed();
    println!(
        "build: {:.2} s, {:.0} upserts/s",
        elapsed.as_secs_f64(),
        size as f64 / elapsed.as_secs_f64()
    );
    drop(documents);

    let vector_queries: Vec<Vec<f32>> = (0..QUERIES).map(|_| data.clustered(&mut random)).collect();
    let text_queries: Vec<String> =
        (0..QUERIES).map(|_| data.words(&mut random, 3).join(" ")).collect();
    time("nearest, user filter", &vector_queries, |q| index.nearest(q, &user, LIMIT).len());
    time("nearest, no filter", &vector_queries, |q| index.nearest(q, &[], LIMIT).len());
    time("nearest_exact, user filter", &vector_queries, |q| {
        index.nearest_exact(q, &user, LIMIT).len()
    });
    time("search, user filter", &text_queries, |q| index.search(q, &user, LIMIT).len());
    time("search, no filter", &text_queries, |q| index.search(q, &[], LIMIT).len());

    let clustered = recall(&index, &vector_queries);
    drop(index);
    let mut random_index = Index::new(Some(DIMENSIONS));
    for n in 0..size {
        random_index.upsert(&format!("doc:{n:06}"), &user, Some(&gaussian(&mut random)), None);
    }
    let queries: Vec<Vec<f32>> = (0..QUERIES).map(|_| gaussian(&mut random)).collect();
    let uniform = recall(&random_index, &queries);
    println!(
        "recall@10 of nearest vs nearest_exact: clustered {clustered:.4}, random {uniform:.4}"
    );
}

/// Time `run` over every query; print p50, p95 and the mean result count.
fn time<Q>(name: &str, queries: &[Q], mut run: impl FnMut(&Q) -> usize) {
    // One untimed pass warms the caches and the allocator, as a long-running host would be.
    for query in queries.iter().take(10) {
        run(query);
    }
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut results = 0;
    for query in queries {
        let start = Instant::now();
        results += run(query);
        times.push(start.elapsed());
    }
    times.sort_unstable();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{name:<28} p50 {:>7.3} ms   p95 {:>7.3} ms   ({:.1} results)",
        at(0.50),
        at(0.95),
        results as f64 / queries.len() as f64
    );
}

/// The fraction of the exact top 10 that the two-pass search also returns.
fn recall(index: &Index, queries: &[Vec<f32>]) -> f64 {
    let mut found = 0;
    let mut wanted = 0;
    for query in queries {
        let exact = index.nearest_exact(query, &[], 10);
        let fast = index.nearest(query, &[], 10);
        wanted += exact.len();
        found += exact.iter().filter(|(id, _)| fast.iter().any(|(f, _)| f == id)).count();
    }
    found as f64 / wanted as f64
}

/// The synthetic corpus: cluster centres, a vocabulary, and Zipf word frequencies.
struct Data {
    centres: Vec<Vec<f32>>,
    words: Vec<String>,
    /// Cumulative Zipf weights (s = 1), for sampling by binary search.
    cumulative: Vec<f64>,
}

impl Data {
    fn new(random: &mut Random) -> Data {
        let centres = (0..CLUSTERS).map(|_| unit(gaussian(random))).collect();
        const SYLLABLES: [&str; 20] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "do", "fu", "ga", "hi", "jo",
            "pe", "qua", "ri", "su", "te", "zo",
        ];
        let words = (0..VOCABULARY)
            .map(|n| {
                let mut n = n + 400; // three syllables at least
                let mut word = String::new();
                while n > 0 {
                    word.push_str(SYLLABLES[n % 20]);
                    n /= 20;
                }
                word
            })
            .collect();
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Data { centres, words, cumulative }
    }

    /// A unit vector near one of the centres (cosine about 0.8 with it).
    fn clustered(&self, random: &mut Random) -> Vec<f32> {
        let centre = &self.centres[random.below(CLUSTERS)];
        let spread = 0.75 / (DIMENSIONS as f32).sqrt();
        unit(centre.iter().zip(gaussian(random)).map(|(c, g)| c + g * spread).collect())
    }

    fn words(&self, random: &mut Random, count: usize) -> Vec<&str> {
        let total = self.cumulative[VOCABULARY - 1];
        (0..count)
            .map(|_| {
                let target = random.unit() * total;
                let rank = self.cumulative.partition_point(|&c| c < target).min(VOCABULARY - 1);
                self.words[rank].as_str()
            })
            .collect()
    }

    fn text(&self, random: &mut Random) -> String {
        self.words(random, WORDS_PER_TEXT).join(" ")
    }
}

fn gaussian(random: &mut Random) -> Vec<f32> {
    (0..DIMENSIONS).map(|_| random.gaussian()).collect()
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

/// SplitMix64: small, seeded, good enough for test data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// Standard normal, by Box–Muller.
    fn gaussian(&mut self) -> f32 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }
}
