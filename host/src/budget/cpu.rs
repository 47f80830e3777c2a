//! The guest's own running time: the CPU time of the thread that polls a call, measured
//! around each poll. A busy guest yields every epoch tick (`EPOCH_TICK`), so no poll runs long and
//! the meter sees each slice as it happens; time spent waiting (for storage, the network, a
//! permit) is not running time and is not counted.

use std::pin::pin;
use std::time::Duration;

/// The CPU time the calling thread has used so far.
pub fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `now` is a valid timespec for the call to write; the clock id is a constant
        // every Unix the host supports knows.
        let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
        if status == 0 {
            let nanos = u32::try_from(now.tv_nsec).unwrap_or(0);
            return Duration::new(u64::try_from(now.tv_sec).unwrap_or(0), nanos);
        }
        Duration::ZERO
    }
    #[cfg(not(unix))]
    {
        // No per-thread clock: wall time since the process started, an upper bound.
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// Run `future`, telling `used` the CPU time of each of its polls as it happens.
pub async fn metered<F: Future>(future: F, mut used: impl FnMut(Duration)) -> F::Output {
    let mut future = pin!(future);
    std::future::poll_fn(move |cx| {
        let before = thread_cpu_time();
        let polled = future.as_mut().poll(cx);
        used(thread_cpu_time().saturating_sub(before));
        polled
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_meter_counts_computing_and_not_sleeping() {
        let mut total = Duration::ZERO;
        metered(
            async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                // Spin for 30 ms of this thread's own CPU time, however often other threads
                // (the other tests) take the CPU meanwhile.
                let started = thread_cpu_time();
                let mut x = 0u64;
                while thread_cpu_time().saturating_sub(started) < Duration::from_millis(30) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            },
            |slice| total += slice,
        )
        .await;
        assert!(total >= Duration::from_millis(30), "computed 30 ms, metered {total:?}");
        assert!(total < Duration::from_millis(45), "slept 50 ms, metered {total:?}");
    }
}
