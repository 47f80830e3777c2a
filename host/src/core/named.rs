//! Enums whose variants have names (in configuration files, the API, metric labels): one
//! list of the names gives `as_str`, `Display` and `ALL`.

/// `as_str`, `Display` and `ALL` for an enum of plain variants, from each variant's name.
macro_rules! named {
    ($type:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $type {
            /// Every variant, in order.
            pub const ALL: &'static [$type] = &[$($type::$variant),*];

            /// Its name, as configuration files, the API and the logs write it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($type::$variant => $name,)*
                }
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named;
