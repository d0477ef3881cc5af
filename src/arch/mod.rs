//! The arch layer: the [`Vector`] trait the ops are written against, the
//! instruction-set [`Level`]s and their detection, each element type's
//! vector at every level ([`Lanes`]), the one `match` on the level
//! ([`dispatch`]), and a folder per instruction set:
//! - `portable`: `wide`'s vectors, for any target;
//! - `x86_64`: AVX2 and AVX-512, chosen at run time;
//! - `half16`: what the 16-bit vectors of both know of the formats.
//!
//! Nothing here knows of ops, loops or threads. Adding a level means a
//! folder, a variant of `Level`, an associated type of `Lanes` and an arm
//! of `dispatch`.

#[cfg(feature = "half")]
pub(crate) mod half16;
pub(crate) mod level;
pub(crate) mod portable;
pub(crate) mod vector;
// Soft-float x86_64 targets (such as `x86_64-unknown-none`) cannot hold
// vector registers, so the AVX2 level needs SSE2 in the target.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) mod x86_64;

pub(crate) use level::Level;
pub(crate) use vector::Vector;

/// The size in bytes of the CPU's last-level cache, where the CPU says
/// (on x86_64, from CPUID); `None` elsewhere.
#[cfg(not(miri))]
pub(crate) fn last_level_cache_bytes() -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return x86_64::cache::last_level_bytes();
    #[allow(unreachable_code)]
    None
}

/// An element type's vector at every level.
pub(crate) trait Lanes: Copy + 'static {
    /// The portable level's vector (`wide`).
    type Portable: Vector<Elem = Self>;
    /// The AVX2 level's vector.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    type Avx2: Vector<Elem = Self>;
    /// The AVX-512 level's vector.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    type Avx512: Vector<Elem = Self>;
}

macro_rules! lanes {
    ($t:ty, $portable:ty, $avx2:ty, $avx512:ty) => {
        impl Lanes for $t {
            type Portable = $portable;
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            type Avx2 = $avx2;
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            type Avx512 = $avx512;
        }
    };
}

lanes!(
    f32,
    wide::f32x8,
    x86_64::avx2::F32x8,
    x86_64::avx512::F32x16
);
lanes!(f64, wide::f64x4, x86_64::avx2::F64x4, x86_64::avx512::F64x8);
#[cfg(feature = "half")]
lanes!(
    half::f16,
    portable::half16::Half16<half::f16>,
    x86_64::avx2_half16::H16x16<half::f16>,
    x86_64::avx512_half16::H16x32<half::f16>
);
#[cfg(feature = "half")]
lanes!(
    half::bf16,
    portable::half16::Half16<half::bf16>,
    x86_64::avx2_half16::H16x16<half::bf16>,
    x86_64::avx512_half16::H16x32<half::bf16>
);

/// Work written once for every level: `scalar` for the scalar level,
/// `vector` for the others, with their vector type.
pub(crate) trait Body<T: Lanes> {
    /// Runs the work one element at a time.
    fn scalar(self);
    /// Runs the work on vectors `V`.
    ///
    /// # Safety
    /// The CPU must support the level of `V`.
    unsafe fn vector<V: Vector<Elem = T>>(self);
}

/// Scalar code over slices as a [`Body`]: the same closure at every level,
/// compiled inside the level's kernel, so that the compiler vectorizes it
/// with that level's instructions rather than the build's baseline ones.
/// The closure must be `#[inline(always)]`: a closure is a function of its
/// own, and one left out of line is compiled for the baseline (the
/// per-channel sums ran at a quarter of their speed).
pub(crate) struct Compiled<F>(pub(crate) F);

impl<T: Lanes, F: FnOnce()> Body<T> for Compiled<F> {
    #[inline(always)]
    fn scalar(self) {
        (self.0)()
    }
    #[inline(always)]
    unsafe fn vector<V: Vector<Elem = T>>(self) {
        (self.0)()
    }
}

/// Runs `body` at `level`: the one place that chooses code by level.
///
/// # Safety
/// The CPU must support `level` (a [`Kernels`](crate::Kernels) holds only
/// such a level).
#[inline(always)]
pub(crate) unsafe fn dispatch<T: Lanes, B: Body<T>>(level: Level, body: B) {
    match level {
        Level::Scalar => body.scalar(),
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        Level::Avx2 => {
            debug_assert!(Level::Avx2.is_supported());
            // SAFETY: the CPU supports the AVX2 level (caller contract),
            // which is AVX2 and F16C.
            unsafe { x86_64::with_avx2::<T, B>(body) }
        }
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        Level::Avx512 => {
            debug_assert!(Level::Avx512.is_supported());
            // SAFETY: the CPU supports the AVX-512 level (caller contract),
            // which is AVX-512 F, BW, DQ and VL, AVX2 and F16C.
            unsafe { x86_64::with_avx512::<T, B>(body) }
        }
        // Without x86_64, `Avx2` and `Avx512` are never supported and never reaches here.
        _ => {
            // SAFETY: every CPU supports the portable level (it is
            // compiled for the build's target).
            unsafe { body.vector::<T::Portable>() }
        }
    }
}
