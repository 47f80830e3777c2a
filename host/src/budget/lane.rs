//! Lanes: what a plugin call is for decides which permits it waits for, so that background
//! work (scheduled jobs, observed events) never queues conversation behind it. A call learns
//! its lane, and the user it serves, from the task that makes it: the message pipeline, the
//! job runner and the observers each run their work inside [`CallContext::scope`].

use std::sync::Arc;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::core::{Limits, named};

/// What a call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Answering a message: commands, the persona, memory, tools. Also loading a plugin.
    Message,
    /// A scheduled job's `fire`.
    Job,
    /// An observer's event or report.
    Observer,
    /// Remembering a turn after its reply went out.
    Memory,
}

named!(Lane { Message => "message", Job => "job", Observer => "observer", Memory => "memory" });

impl Lane {
    /// Jobs, observers and remembering: work no user waits for.
    pub fn is_background(self) -> bool {
        !matches!(self, Lane::Message)
    }
}

/// The lane of the calls a task makes, and the user they serve (for the user's budgets).
#[derive(Debug, Clone)]
pub struct CallContext {
    pub lane: Lane,
    pub user: Option<Arc<str>>,
}

tokio::task_local! {
    static CONTEXT: CallContext;
}

impl CallContext {
    /// Answering `user`'s message.
    pub fn message(user: &str) -> CallContext {
        CallContext { lane: Lane::Message, user: Some(Arc::from(user)) }
    }

    pub fn background(lane: Lane) -> CallContext {
        CallContext { lane, user: None }
    }

    /// Remembering `user`'s turn, after its reply: in the background, on the user's budgets.
    pub fn remembering(user: &str) -> CallContext {
        CallContext { lane: Lane::Memory, user: Some(Arc::from(user)) }
    }

    /// Run `future` with this context for every call it makes.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CONTEXT.scope(self, future).await
    }

    /// The context of the running task: the message lane, for no user, outside any scope.
    pub fn current() -> CallContext {
        CONTEXT
            .try_with(CallContext::clone)
            .unwrap_or(CallContext { lane: Lane::Message, user: None })
    }
}

/// The permits of each lane, shared by every plugin; the engine's instance pool holds all
/// of them at once.
pub struct Lanes {
    message: Semaphore,
    job: Semaphore,
    observer: Semaphore,
    memory: Semaphore,
}

impl Lanes {
    pub fn new(limits: &Limits) -> Lanes {
        Lanes {
            message: Semaphore::new(limits.max_concurrent_calls as usize),
            job: Semaphore::new(limits.background_calls as usize),
            observer: Semaphore::new(limits.observer_calls as usize),
            memory: Semaphore::new(limits.remember_calls as usize),
        }
    }

    /// Wait for a permit of `lane`.
    pub async fn enter(&self, lane: Lane) -> SemaphorePermit<'_> {
        let semaphore = match lane {
            Lane::Message => &self.message,
            Lane::Job => &self.job,
            Lane::Observer => &self.observer,
            Lane::Memory => &self.memory,
        };
        // The semaphores are never closed.
        semaphore.acquire().await.expect("lane semaphores stay open")
    }
}
