//! The background runtime: scheduled jobs and observers run on threads of their own, at the
//! lowest scheduling priority (Linux's `SCHED_IDLE`: they run only on a core nothing else
//! wants, and a waking message thread takes the core from them at once), so that a plugin
//! whose jobs compute as hard as they can takes only the CPU that conversation leaves.
//! Epoch yields share these threads fairly between background calls.

use std::sync::Arc;

use tokio::runtime::{Handle, Runtime};

/// Threads of the background runtime: background work is not meant to use more.
const THREADS: usize = 2;

/// A runtime for background work, shut down (without blocking) when dropped.
pub struct Background {
    runtime: Option<Runtime>,
}

impl Background {
    pub fn start() -> std::io::Result<Arc<Background>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(THREADS)
            .thread_name("dcmaid-background")
            .on_thread_start(lower_priority)
            .enable_all()
            .build()?;
        Ok(Arc::new(Background { runtime: Some(runtime) }))
    }

    pub fn handle(&self) -> &Handle {
        self.runtime.as_ref().expect("the runtime lives until drop").handle()
    }

    /// Run `future` on the background threads and wait for it; `None` if it panicked or
    /// the runtime is shutting down.
    pub async fn run<F>(&self, future: F) -> Option<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle().spawn(future).await.ok()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // The bot may be dropped on an async thread, where a blocking shutdown would panic.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Give the calling thread the lowest priority (Linux schedules threads one by one):
/// `SCHED_IDLE`, or, where that is refused, nice 19.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `param` is a valid sched_param for the call to read; pid 0 is the calling
        // thread; failures come back as the return value, which is checked.
        let idle = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        if idle == 0 {
            return;
        }
        // SAFETY: as above; setpriority only reads its arguments.
        let nice =
            unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) };
        if nice != 0 {
            tracing::warn!(
                "background thread keeps normal priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}
