//! A QR code (ISO/IEC 18004) of a short text, as SVG: the device flow's complete verification
//! address, so a phone can open it without typing. Byte mode, error correction level L,
//! versions 1 to 5 (one block each; up to 106 bytes), fixed mask 0 (any mask is valid: decoders
//! read it from the format information). Longer texts get no QR code; the link is shown anyway.

/// (data codewords, error correction codewords) of versions 1 to 5 at level L.
const VERSIONS: [(usize, usize); 5] = [(19, 7), (34, 10), (55, 15), (80, 20), (108, 26)];

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u8 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ if z & 0x80 != 0 { 0x1D } else { 0 };
        if (y >> i) & 1 != 0 {
            z ^= x;
        }
    }
    z
}

/// The Reed-Solomon error correction codewords of `data`.
#[inline(never)]
fn reed_solomon(data: &[u8], degree: usize) -> Vec<u8> {
    // The generator polynomial (x - a^0)(x - a^1)...(x - a^(degree-1)), leading 1 left out.
    let mut divisor = vec![0u8; degree];
    divisor[degree - 1] = 1;
    let mut root: u8 = 1;
    for _ in 0..degree {
        for j in 0..degree {
            divisor[j] = gf_mul(divisor[j], root);
            if j + 1 < degree {
                divisor[j] ^= divisor[j + 1];
            }
        }
        root = gf_mul(root, 2);
    }
    let mut rem = vec![0u8; degree];
    for &b in data {
        let factor = b ^ rem[0];
        rem.remove(0);
        rem.push(0);
        for (r, &d) in rem.iter_mut().zip(&divisor) {
            *r ^= gf_mul(d, factor);
        }
    }
    rem
}

/// The modules being drawn: dark or light, and whether a function pattern holds them.
struct Grid {
    n: usize,
    dark: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    /// Sets a function module (one copy of the bounds checks for every pattern).
    #[inline(never)]
    fn set(&mut self, x: usize, y: usize, on: bool) {
        if x < self.n && y < self.n {
            let i = y * self.n + x;
            self.dark[i] = on;
            self.function[i] = true;
        }
    }
}

/// The modules of the QR code of `text` (row-major, `true` is dark) and its size, or `None`
/// when the text is too long for version 6.
#[inline(never)]
pub fn encode(text: &str) -> Option<(Vec<bool>, usize)> {
    let bytes = text.as_bytes();
    let v = VERSIONS.iter().position(|&(d, _)| bytes.len() + 2 <= d)?;
    let (capacity, ec_len) = VERSIONS[v];

    // Mode 0100 (byte), an 8-bit count, the bytes, a terminator, then pad codewords.
    let mut data = Vec::with_capacity(capacity);
    data.push(0x40 | (bytes.len() >> 4) as u8);
    let mut carry = (bytes.len() as u8) << 4;
    for &b in bytes {
        data.push(carry | (b >> 4));
        carry = b << 4;
    }
    data.push(carry);
    let mut pad = [0xEC, 0x11].into_iter().cycle();
    while data.len() < capacity {
        data.extend(pad.next());
    }

    // One block: the data, then its correction codewords.
    let ecc = reed_solomon(&data, ec_len);
    let mut codewords = data;
    codewords.extend(ecc);

    let version = v + 1;
    let n = 17 + 4 * version;
    let mut grid = Grid {
        n,
        dark: vec![false; n * n],
        function: vec![false; n * n],
    };
    let mut set = |x: usize, y: usize, on: bool| grid.set(x, y, on);
    // Timing patterns, then the finders with their separators, the alignment pattern (versions
    // 2 to 6 have one) and the format information (mask 0, level L) with the dark module.
    for i in 0..n {
        set(6, i, i % 2 == 0);
        set(i, 6, i % 2 == 0);
    }
    // A square pattern centred on (cx, cy) of the given radius; `dark` says, by distance from
    // the centre, which rings are dark. Modules outside the symbol are skipped by `set`.
    let mut square = |cx: usize, cy: usize, r: usize, dark: fn(usize) -> bool| {
        for y in cy.saturating_sub(r)..=cy + r {
            for x in cx.saturating_sub(r)..=cx + r {
                set(x, y, dark(x.abs_diff(cx).max(y.abs_diff(cy))));
            }
        }
    };
    for (cx, cy) in [(3, 3), (n - 4, 3), (3, n - 4)] {
        square(cx, cy, 4, |d| d != 2 && d != 4);
    }
    if version > 1 {
        let c = 4 * version + 10;
        square(c, c, 2, |d| d != 1);
    }
    let format: u32 = {
        let data = 1u32 << 3; // level L (01), mask 0
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        ((data << 10) | rem) ^ 0x5412
    };
    let bit = |i: usize| (format >> i) & 1 != 0;
    for i in 0..6 {
        set(8, i, bit(i));
    }
    set(8, 7, bit(6));
    set(8, 8, bit(7));
    set(7, 8, bit(8));
    for i in 9..15 {
        set(14 - i, 8, bit(i));
    }
    for i in 0..8 {
        set(n - 1 - i, 8, bit(i));
    }
    for i in 8..15 {
        set(8, n - 15 + i, bit(i));
    }
    set(8, n - 8, true);

    // The codewords in the zigzag of two-module columns, right to left, masked with mask 0.
    let Grid {
        mut dark, function, ..
    } = grid;
    let total = codewords.len() * 8;
    let mut i = 0;
    let mut right = n - 1;
    while right >= 1 {
        if right == 6 {
            right = 5;
        }
        for vert in 0..n {
            for j in 0..2 {
                let x = right - j;
                let y = if (right + 1) & 2 == 0 {
                    n - 1 - vert
                } else {
                    vert
                };
                if !function[y * n + x] {
                    let on = i < total && (codewords[i >> 3] >> (7 - (i & 7))) & 1 != 0;
                    dark[y * n + x] = on ^ ((x + y) % 2 == 0);
                    i += 1;
                }
            }
        }
        if right < 2 {
            break;
        }
        right -= 2;
    }
    Some((dark, n))
}

/// The QR code of `text` as SVG path data (one unit square per dark module, after a quiet zone
/// of 4) and the side of the whole image in modules; `None` when the text is too long. The page
/// draws it; this module writes no markup.
#[inline(never)]
pub fn path(text: &str) -> Option<(String, usize)> {
    let (dark, n) = encode(text)?;
    let mut path = String::new();
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        path.push_str(&format!("M{} {}h1v1h-1z", i % n + 4, i / n + 4));
    }
    Some((path, n + 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reed_solomon_matches_the_standard_example() {
        // ISO/IEC 18004 Annex I: "01234567" in version 1-M has these 10 correction codewords.
        let data = [
            0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
            0xEC, 0x11,
        ];
        assert_eq!(
            reed_solomon(&data, 10),
            [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55]
        );
    }

    #[test]
    fn sizes_and_fixed_patterns() {
        let (m, n) = encode("https://op.example/device?user_code=WDJB-MJHT").unwrap();
        assert_eq!(n, 29); // 46 bytes: version 3
                           // The three finders (dark border, light ring, dark centre, light separator), the timing
                           // pattern, the dark module.
        for (x0, y0) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            let at = |dx: usize, dy: usize| m[(y0 + dy) * n + x0 + dx];
            assert!(
                at(0, 0) && at(6, 6) && at(3, 3) && at(2, 4) && !at(1, 1) && !at(5, 3),
                "{x0},{y0}"
            );
        }
        assert!(!m[7] && !m[n * 7] && !m[7 * n + 7]);
        assert!(m[6 * n + 8] && !m[6 * n + 9] && m[6 * n + 10]);
        assert!(m[(n - 8) * n + 8]);
        assert_eq!(encode("").map(|(_, n)| n), Some(21));
        assert_eq!(encode(&"x".repeat(106)).map(|(_, n)| n), Some(37));
        assert!(encode(&"x".repeat(107)).is_none());
        assert!(path(&"x".repeat(200)).is_none());
        let (d, size) = path("https://a/").unwrap();
        assert!(d.starts_with("M4 4h1v1h-1z") && size == 29);
    }
}
