//! The arguments of an export call, as a guest of an older version takes them: each
//! becomes the older version's value ([`Older`]), and is then passed as that version's
//! generated function wants it ([`Pass`]: records by reference, text and numbers as they
//! are).

use crate::wit::convert::Downgrade;
use crate::wit::v0_1::bindings::dcmaid::bot::types as v0_1;
use crate::wit::{Event, Invocation, Message};

/// An argument, converted for a `dcmaid:bot@0.1.0` guest.
pub trait Older {
    type Old;
    fn older(self) -> Self::Old;
}

/// A converted argument, as the generated function takes it.
pub trait Pass {
    type As<'a>
    where
        Self: 'a;
    fn pass(&self) -> Self::As<'_>;
}

/// Records: cloned and downgraded, then passed by reference.
macro_rules! records {
    ($($type:ident),*) => {
        $(
            impl Older for &$type {
                type Old = v0_1::$type;
                fn older(self) -> v0_1::$type {
                    self.clone().downgrade()
                }
            }

            impl Pass for v0_1::$type {
                type As<'a> = &'a v0_1::$type;
                fn pass(&self) -> &v0_1::$type {
                    self
                }
            }
        )*
    };
}

records!(Message, Event, Invocation);

impl<'s> Older for &'s str {
    type Old = &'s str;
    fn older(self) -> &'s str {
        self
    }
}

impl Pass for &str {
    type As<'a>
        = &'a str
    where
        Self: 'a;
    fn pass(&self) -> &str {
        self
    }
}

impl Older for u32 {
    type Old = u32;
    fn older(self) -> u32 {
        self
    }
}

impl Pass for u32 {
    type As<'a> = u32;
    fn pass(&self) -> u32 {
        *self
    }
}
