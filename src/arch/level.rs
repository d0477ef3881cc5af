//! Instruction-set levels and the choice among them, made once per process.

use core::fmt;
use core::sync::atomic::{AtomicU8, Ordering};

/// The instruction set a kernel is compiled for.
///
/// Every level gives the same bits for every input; they differ only in
/// speed. [`Level::active`] is the one the crate uses; [`Kernels`] runs any
/// supported level on demand.
///
/// [`Kernels`]: crate::Kernels
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Level {
    /// The reference, one element at a time.
    Scalar,
    /// `wide`'s 256-bit vectors (`f32x8`, `f64x4`), compiled for whatever
    /// the build targets: SSE2 in a default x86_64 build, AVX with
    /// `-C target-cpu=native`, NEON on aarch64, plain arrays elsewhere.
    Portable,
    /// AVX2 kernels, compiled into every x86_64 build (but soft-float
    /// targets such as `x86_64-unknown-none`) and chosen at run time on CPUs
    /// that have AVX2 and F16C (every AVX2 CPU shipped has both; the 16-bit
    /// formats convert with F16C).
    Avx2,
    /// AVX-512 kernels, compiled into the same builds as [`Level::Avx2`]
    /// and chosen at run time on CPUs that have AVX-512 F, BW, DQ and VL
    /// as well as AVX2 and F16C: F for the 512-bit vectors and their mask
    /// registers, DQ for the float bitwise ops and the moves between masks
    /// and vectors, BW for the 16-bit formats' compares, VL for the 256-bit
    /// halves the compiler works on inside the 512-bit bodies (the `f16`
    /// conversions'). Every CPU with AVX-512 since Skylake-SP has all four.
    Avx512,
}

/// Every level, slowest first.
pub const ALL_LEVELS: [Level; 4] = [Level::Scalar, Level::Portable, Level::Avx2, Level::Avx512];

/// The name of the environment variable that forces a level (std only).
pub const LEVEL_ENV: &str = "RELU_KERNELS_LEVEL";

impl Level {
    /// The level's lower-case name, as `RELU_KERNELS_LEVEL` takes it.
    pub const fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Portable => "portable",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// What the CPU needs for the level, as an error message names it.
    #[cfg(feature = "std")]
    const fn needs(self) -> &'static str {
        match self {
            Level::Scalar | Level::Portable => "",
            Level::Avx2 => " (it needs AVX2 and F16C)",
            Level::Avx512 => " (it needs AVX-512 F, BW, DQ and VL, AVX2 and F16C)",
        }
    }

    /// Parses a name given by [`Level::name`] (ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Level> {
        ALL_LEVELS
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
    }

    /// Whether this CPU can run the level. Without the `std` feature only
    /// the features enabled at compile time count.
    pub fn is_supported(self) -> bool {
        match self {
            Level::Scalar | Level::Portable => true,
            Level::Avx2 => has_avx2_and_f16c(),
            Level::Avx512 => has_avx2_and_f16c() && has_avx512(),
        }
    }

    /// The fastest level this CPU supports.
    pub fn detected() -> Level {
        if Level::Avx512.is_supported() {
            Level::Avx512
        } else if Level::Avx2.is_supported() {
            Level::Avx2
        } else {
            Level::Portable
        }
    }

    /// The level the crate's functions use: the one named by the
    /// `RELU_KERNELS_LEVEL` environment variable if it is set (std only),
    /// else [`Level::detected`]. Decided once, on first use, and then fixed;
    /// an invalid choice is kept too.
    ///
    /// # Panics
    /// If `RELU_KERNELS_LEVEL` is set to an unknown name, to a value that is
    /// not UTF-8, or to a level this CPU does not support: on first use and
    /// on every use after it, with the same message.
    pub fn active() -> Level {
        static ACTIVE: AtomicU8 = AtomicU8::new(UNSET);
        match ACTIVE.load(Ordering::Relaxed) {
            UNSET => {
                let level = choose_once();
                ACTIVE.store(level as u8, Ordering::Relaxed);
                level
            }
            n => ALL_LEVELS[n as usize],
        }
    }
}

#[cfg(feature = "std")]
impl Level {
    /// [`Level::active`] without the panic: the active level, or the
    /// message `active` panics with when `RELU_KERNELS_LEVEL` is invalid.
    /// For callers that report errors their own way (a Python module
    /// raising an exception, say) before calling a kernel.
    ///
    /// ```
    /// // With RELU_KERNELS_LEVEL unset (or valid), the level in use.
    /// if std::env::var_os("RELU_KERNELS_LEVEL").is_none() {
    ///     assert_eq!(relu_kernels::Level::try_active(), Ok(relu_kernels::Level::detected()));
    /// }
    /// ```
    pub fn try_active() -> Result<Level, String> {
        choice().clone()
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const UNSET: u8 = u8::MAX;

/// The level chosen on first use, or why the choice is invalid: the
/// environment is read once, and every later use gets the same answer.
#[cfg(feature = "std")]
fn choice() -> &'static Result<Level, String> {
    static CHOICE: std::sync::OnceLock<Result<Level, String>> = std::sync::OnceLock::new();
    CHOICE.get_or_init(choose)
}

#[cfg(feature = "std")]
fn choose_once() -> Level {
    match choice() {
        Ok(level) => *level,
        Err(message) => panic!("{message}"),
    }
}

#[cfg(feature = "std")]
fn choose() -> Result<Level, String> {
    let Some(value) = std::env::var_os(LEVEL_ENV) else {
        return Ok(Level::detected());
    };
    let Some(name) = value.to_str() else {
        return Err(format!(
            "relu-kernels: {LEVEL_ENV}={value:?}: not valid UTF-8 (expected {})",
            expected()
        ));
    };
    match Level::from_name(name.trim()) {
        Some(level) if level.is_supported() => Ok(level),
        Some(level) => Err(format!(
            "relu-kernels: {LEVEL_ENV}={name}: this CPU does not support {level}{}",
            level.needs()
        )),
        None => Err(format!(
            "relu-kernels: {LEVEL_ENV}={name}: unknown level (expected {})",
            expected()
        )),
    }
}

/// The level names, as the error messages list them.
#[cfg(feature = "std")]
fn expected() -> String {
    let names: Vec<&str> = ALL_LEVELS.iter().map(|l| l.name()).collect();
    let (last, rest) = names.split_last().expect("levels");
    format!("{} or {last}", rest.join(", "))
}

#[cfg(not(feature = "std"))]
fn choose_once() -> Level {
    Level::detected()
}

// Under Miri the AVX2 level converts without F16C (Miri cannot run it; see
// `x86_64::avx2_half16`), so there AVX2 alone makes the level supported.

#[cfg(all(target_arch = "x86_64", target_feature = "sse2", feature = "std"))]
fn has_avx2_and_f16c() -> bool {
    // Compiles to `true` when the build already targets both; otherwise std
    // caches the CPUID answer.
    std::arch::is_x86_feature_detected!("avx2")
        && (cfg!(miri) || std::arch::is_x86_feature_detected!("f16c"))
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2", not(feature = "std")))]
fn has_avx2_and_f16c() -> bool {
    cfg!(all(
        target_feature = "avx2",
        any(miri, target_feature = "f16c")
    ))
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn has_avx2_and_f16c() -> bool {
    false
}

// Miri cannot run AVX-512 intrinsics, so there the level is never
// supported.

#[cfg(all(
    target_arch = "x86_64",
    target_feature = "sse2",
    feature = "std",
    not(miri)
))]
fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
}

#[cfg(all(
    target_arch = "x86_64",
    target_feature = "sse2",
    not(feature = "std"),
    not(miri)
))]
fn has_avx512() -> bool {
    cfg!(all(
        target_feature = "avx512f",
        target_feature = "avx512bw",
        target_feature = "avx512dq",
        target_feature = "avx512vl"
    ))
}

#[cfg(any(miri, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn has_avx512() -> bool {
    false
}
