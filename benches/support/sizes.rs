//! Buffer sizes as the reports take and print them: `4Ki`, `64Mi`, or a
//! plain element count.

pub const KI: usize = 1024;
pub const MI: usize = 1024 * 1024;

/// `"64Ki"` as 65536; `None` for anything else than a positive count.
pub fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = if let Some(n) = s.strip_suffix("Mi") {
        (n, MI)
    } else if let Some(n) = s.strip_suffix("Ki") {
        (n, KI)
    } else {
        (s, 1)
    };
    num.parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .map(|n| n * mult)
}

/// The shortest of `n`, `nKi`, `nMi` that names `n` exactly.
pub fn size_name(n: usize) -> String {
    if n >= MI && n.is_multiple_of(MI) {
        format!("{}Mi", n / MI)
    } else if n >= KI && n.is_multiple_of(KI) {
        format!("{}Ki", n / KI)
    } else {
        n.to_string()
    }
}
