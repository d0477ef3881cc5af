//! The last-level cache's size, from CPUID's deterministic cache
//! parameters: leaf 4 on Intel, leaf 0x8000001D on AMD (both list the
//! caches in the same format, one subleaf each).

use core::arch::x86_64::{__cpuid_count, CpuidResult};

/// The size in bytes of the highest-level data or unified cache the CPU
/// reports, or `None` when it reports none (an old CPU, or a hypervisor
/// that hides the leaves).
pub(crate) fn last_level_bytes() -> Option<usize> {
    let leaf = cache_leaf()?;
    let mut best: Option<(u32, usize)> = None;
    // Each subleaf describes one cache; a null type ends the list.
    for sub in 0..16 {
        let r = cpuid(leaf, sub);
        let kind = r.eax & 0x1f;
        if kind == 0 {
            break;
        }
        // 1: data, 3: unified (2, instructions, does not hold data).
        if kind != 1 && kind != 3 {
            continue;
        }
        let level = (r.eax >> 5) & 0x7;
        let ways = ((r.ebx >> 22) & 0x3ff) as usize + 1;
        let partitions = ((r.ebx >> 12) & 0x3ff) as usize + 1;
        let line = (r.ebx & 0xfff) as usize + 1;
        let sets = r.ecx as usize + 1;
        let bytes = ways * partitions * line * sets;
        if best.is_none_or(|(l, _)| level > l) {
            best = Some((level, bytes));
        }
    }
    best.map(|(_, bytes)| bytes)
}

/// The leaf that lists the caches, if the CPU has one.
fn cache_leaf() -> Option<u32> {
    let vendor = cpuid(0, 0);
    // "AuthenticAMD" and "HygonGenuine" list them in 0x8000001D, when the
    // topology extensions are there (0x80000001, ECX bit 22).
    let amd = (vendor.ebx, vendor.edx, vendor.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163)
        || (vendor.ebx, vendor.edx, vendor.ecx) == (0x6f67_7948, 0x6e65_476e, 0x656e_6975);
    if amd {
        let extended = cpuid(0x8000_0000, 0).eax;
        let topology = extended >= 0x8000_001d && cpuid(0x8000_0001, 0).ecx & (1 << 22) != 0;
        return topology.then_some(0x8000_001d);
    }
    (vendor.eax >= 4).then_some(4)
}

/// Leaves above the CPU's maximum return its highest leaf's data, so the
/// callers check the maximum before they read a leaf.
// `__cpuid_count` is a safe function in current Rust, an `unsafe` one in
// the oldest version the crate supports.
#[allow(unused_unsafe)]
fn cpuid(leaf: u32, sub: u32) -> CpuidResult {
    // SAFETY: every x86_64 CPU has CPUID (it is in the x86_64 baseline).
    unsafe { __cpuid_count(leaf, sub) }
}

#[cfg(all(test, target_os = "linux", feature = "std"))]
mod tests {
    /// Linux reads the same CPUID leaves into sysfs: the size it lists for
    /// cpu0's highest-level data or unified cache.
    fn sysfs_last_level_bytes() -> Option<usize> {
        let dir = std::fs::read_dir("/sys/devices/system/cpu/cpu0/cache").ok()?;
        let read = |p: &std::path::Path, f: &str| std::fs::read_to_string(p.join(f)).ok();
        let mut best: Option<(u32, usize)> = None;
        for entry in dir.flatten() {
            let p = entry.path();
            if !entry.file_name().to_string_lossy().starts_with("index") {
                continue;
            }
            let kind = read(&p, "type")?;
            if kind.trim() == "Instruction" {
                continue;
            }
            let level: u32 = read(&p, "level")?.trim().parse().ok()?;
            let size = read(&p, "size")?;
            let kib: usize = size.trim().strip_suffix('K')?.parse().ok()?;
            if best.is_none_or(|(l, _)| level > l) {
                best = Some((level, kib * 1024));
            }
        }
        best.map(|(_, bytes)| bytes)
    }

    #[test]
    fn last_level_matches_linux() {
        let Some(expected) = sysfs_last_level_bytes() else {
            // Some containers hide the cache directory; say so rather
            // than pass quietly.
            eprintln!("!!! /sys/devices/system/cpu/cpu0/cache is not readable: not compared");
            return;
        };
        assert_eq!(super::last_level_bytes(), Some(expected));
    }
}
