//! The front layer's machinery: the one list of ops ([`list`]), the
//! argument checks every front runs first ([`check`]), [`Kernels`] with
//! every op as a method, the `simd`/`par`/root functions
//! ([`entry_points`]) and the hidden table of forms (`forms.rs`, the crate's
//! `__forms`). The public modules (`scalar`, `simd`, `par`, `nd`) are the
//! fronts themselves.
//!
//! [`Kernels`]: kernels::Kernels

#[macro_use]
pub(crate) mod channel_list;
pub(crate) mod check;
pub(crate) mod entry_points;
pub(crate) mod kernels;
#[macro_use]
pub(crate) mod list;
