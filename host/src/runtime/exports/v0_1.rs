//! The exports of a component built against `dcmaid:bot@0.1.0`.

super::of_version::exports_of_version!(WitVersion::V0_1, crate::wit::v0_1::bindings);
