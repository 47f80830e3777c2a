//! `surreal`, as SurrealDB's own binary starts: `surreal start --bind 127.0.0.1:PORT --user
//! root --pass root memory`.

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
