//! Values across WIT versions: an older version's value [`Upgrade`]s to the newest
//! version's type, which the host works in, and a newest-version value [`Downgrade`]s to
//! what an older guest can take. Plain values and containers convert element by element;
//! each version's module implements its own records, enums and variants.

/// An older version's value, as the host works with it.
pub trait Upgrade<New> {
    fn upgrade(self) -> New;
}

/// A value of the newest version, as a guest of an older version takes it.
pub trait Downgrade<Old> {
    fn downgrade(self) -> Old;
}

/// Values that are the same in every version.
macro_rules! same {
    ($($type:ty),*) => {
        $(
            impl Upgrade<$type> for $type {
                fn upgrade(self) -> $type {
                    self
                }
            }

            impl Downgrade<$type> for $type {
                fn downgrade(self) -> $type {
                    self
                }
            }
        )*
    };
}

same!(String, bool, (), u8, u32, u64, f32, f64, (String, String));

/// Containers of values that convert: element by element, both ways.
macro_rules! containers {
    ($($container:ident: |$value:ident, $convert:ident| $map:expr;)*) => {
        $(
            impl<A: Upgrade<B>, B> Upgrade<$container<B>> for $container<A> {
                fn upgrade(self) -> $container<B> {
                    let ($value, $convert) = (self, Upgrade::upgrade);
                    $map
                }
            }

            impl<A: Downgrade<B>, B> Downgrade<$container<B>> for $container<A> {
                fn downgrade(self) -> $container<B> {
                    let ($value, $convert) = (self, Downgrade::downgrade);
                    $map
                }
            }
        )*
    };
}

containers! {
    Vec: |values, convert| values.into_iter().map(convert).collect();
    Option: |value, convert| value.map(convert);
}

impl<A: Upgrade<B>, B, E: Upgrade<F>, F> Upgrade<Result<B, F>> for Result<A, E> {
    fn upgrade(self) -> Result<B, F> {
        self.map(Upgrade::upgrade).map_err(Upgrade::upgrade)
    }
}

impl<A: Downgrade<B>, B, E: Downgrade<F>, F> Downgrade<Result<B, F>> for Result<A, E> {
    fn downgrade(self) -> Result<B, F> {
        self.map(Downgrade::downgrade).map_err(Downgrade::downgrade)
    }
}

/// A record that is the same in two versions but for its Rust type: field by field, both
/// ways. `record!(old::module, new::module, Type { field, ... })`.
macro_rules! record {
    ($old:path, $new:path, $type:ident { $($field:ident),* $(,)? }) => {
        const _: () = {
            use $old as old;
            use $new as new;
            use $crate::wit::convert::{Downgrade, Upgrade};

            impl Upgrade<new::$type> for old::$type {
                fn upgrade(self) -> new::$type {
                    new::$type { $($field: self.$field.upgrade()),* }
                }
            }

            impl Downgrade<old::$type> for new::$type {
                fn downgrade(self) -> old::$type {
                    old::$type { $($field: self.$field.downgrade()),* }
                }
            }
        };
    };
}

/// An enum or variant that is the same in two versions: case by case, both ways, each
/// case's payload converted. `cases!(old::module, new::module, Type { Plain, WithPayload(_) })`.
macro_rules! cases {
    ($old:path, $new:path, $type:ident { $($case:ident $(($payload:tt))?),* $(,)? }) => {
        const _: () = {
            use $old as old;
            use $new as new;
            use $crate::wit::convert::{Downgrade, Upgrade};

            impl Upgrade<new::$type> for old::$type {
                fn upgrade(self) -> new::$type {
                    match self {
                        $(old::$type::$case $(($payload))? => {
                            new::$type::$case $(($payload.upgrade()))?
                        })*
                    }
                }
            }

            impl Downgrade<old::$type> for new::$type {
                fn downgrade(self) -> old::$type {
                    match self {
                        $(new::$type::$case $(($payload))? => {
                            old::$type::$case $(($payload.downgrade()))?
                        })*
                    }
                }
            }
        };
    };
}

pub(crate) use {cases, record};
