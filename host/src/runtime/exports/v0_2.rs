//! The exports of a component built against `dcmaid:bot@0.2.0`.

super::of_version::exports_of_version!(WitVersion::V0_2, crate::wit::v0_2);
