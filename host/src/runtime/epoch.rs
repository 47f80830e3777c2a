//! Epoch interruption: a ticker thread advances the engine's epoch, and each call's store
//! checks its deadline (and yields to the executor) once per tick.

use std::time::Duration;

/// How often the epoch advances. A call's deadline is checked, and a busy guest yields to
/// the executor, once per tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(2);

/// Advance the epoch every [`EPOCH_TICK`] for as long as anything (the engine, or a plugin's
/// pre-linked instance) still uses the engine.
pub(super) fn start_ticker(engine: wasmtime::EngineWeak) -> std::io::Result<()> {
    std::thread::Builder::new().name("dcmaid-epoch".into()).spawn(move || {
        loop {
            std::thread::sleep(EPOCH_TICK);
            match engine.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        }
    })?;
    Ok(())
}
