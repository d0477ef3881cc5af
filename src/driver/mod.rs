//! The driver layer: how a call's elements reach a kernel. The I/O
//! descriptor ([`io`]), the one serial loop ([`serial`]), the policy that
//! decides between serial and shared ([`policy`]), and the two ways of
//! sharing: halving inside a rayon pool ([`join`]) and a caller working
//! with helpers from outside it ([`shared`], with [`linger`] keeping
//! helpers awake between calls). Without the `rayon` feature every call
//! runs serially, so every `Threading` mode exists on every build.

pub(crate) mod channel;
pub(crate) mod io;
#[cfg(feature = "rayon")]
mod join;
#[cfg(feature = "rayon")]
mod linger;
pub(crate) mod policy;
pub(crate) mod reduce;
pub(crate) mod serial;
#[cfg(feature = "rayon")]
pub(crate) mod shared;
pub(crate) mod work;
