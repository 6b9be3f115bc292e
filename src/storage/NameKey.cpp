#include "duet/storage/NameKey.hpp"

#include <string>

namespace duet::storage {

namespace {

constexpr char32_t kDecompositionFirst = 0x00C0;
constexpr char32_t kDecompositionLast = 0x017F;

// Canonical decompositions of U+00C0..U+017F, two characters per code point: the base letter and a mark
// symbol (see markFor), or two spaces when the letter has no canonical decomposition (Æ, Ð, Ø, ß, Ł, ...).
// Sixteen code points per line.
constexpr std::string_view kDecompositions = "A`A'A^A~A:Ao  C,E`E'E^E:I`I'I^I:"    // U+00C0
                                             "  N~O`O'O^O~O:    U`U'U^U:Y'    "    // U+00D0
                                             "a`a'a^a~a:ao  c,e`e'e^e:i`i'i^i:"    // U+00E0
                                             "  n~o`o'o^o~o:    u`u'u^u:y'  y:"    // U+00F0
                                             "A-a-AuauA;a;C'c'C^c^C.c.CvcvDvdv"    // U+0100
                                             "    E-e-EueuE.e.E;e;EvevG^g^Gugu"    // U+0110
                                             "G.g.G,g,H^h^    I~i~I-i-IuiuI;i;"    // U+0120
                                             "I.      J^j^K,k,  L'l'L,l,Lvlv  "    // U+0130
                                             "      N'n'N,n,Nvnv      O-o-Ouou"    // U+0140
                                             "O\"o\"    R'r'R,r,RvrvS's'S^s^S,s,"  // U+0150
                                             "SvsvT,t,Tvtv    U~u~U-u-UuuuUouo"    // U+0160
                                             "U\"u\"U;u;W^w^Y^y^Y:Z'z'Z.z.Zvzv  "; // U+0170
static_assert(kDecompositions.size() == 2 * (kDecompositionLast - kDecompositionFirst + 1));

char32_t markFor(char symbol)
{
    switch (symbol) {
    case '`':
        return 0x0300; // grave
    case '\'':
        return 0x0301; // acute
    case '^':
        return 0x0302; // circumflex
    case '~':
        return 0x0303; // tilde
    case '-':
        return 0x0304; // macron
    case 'u':
        return 0x0306; // breve
    case '.':
        return 0x0307; // dot above
    case ':':
        return 0x0308; // diaeresis
    case 'o':
        return 0x030A; // ring above
    case '"':
        return 0x030B; // double acute
    case 'v':
        return 0x030C; // caron
    case ',':
        return 0x0327; // cedilla
    case ';':
        return 0x0328; // ogonek
    default:
        return 0;
    }
}

bool isEven(char32_t c)
{
    return c % 2 == 0;
}

char32_t foldLatin(char32_t c)
{
    if (c >= 'A' && c <= 'Z') return c + 0x20;
    if (c == 0x00B5) return 0x03BC;                                 // micro sign -> Greek mu
    if (c >= 0x00C0 && c <= 0x00DE && c != 0x00D7) return c + 0x20; // Latin-1 capitals (not ×)
    if (c >= 0x0100 && c <= 0x0137 && c != 0x0130 && isEven(c)) return c + 1;
    if (c == 0x0130) return 'i'; // İ; normally decomposed before folding
    if (c >= 0x0139 && c <= 0x0148 && !isEven(c)) return c + 1;
    if (c >= 0x014A && c <= 0x0177 && isEven(c)) return c + 1;
    if (c == 0x0178) return 0x00FF; // Ÿ -> ÿ
    if (c >= 0x0179 && c <= 0x017E && !isEven(c)) return c + 1;
    if (c == 0x017F) return 's'; // long s
    return c;
}

char32_t foldGreek(char32_t c)
{
    if (c == 0x0386) return 0x03AC;
    if (c >= 0x0388 && c <= 0x038A) return c + 0x25;
    if (c == 0x038C) return 0x03CC;
    if (c == 0x038E || c == 0x038F) return c + 0x3F;
    if (c >= 0x0391 && c <= 0x03AB && c != 0x03A2) return c + 0x20;
    if (c == 0x03C2) return 0x03C3; // final sigma
    if ((c >= 0x0370 && c <= 0x0373) || c == 0x0376 || (c >= 0x03D8 && c <= 0x03EF) || c == 0x03F7 ||
        c == 0x03FA) {
        return isEven(c) || c == 0x03F7 ? c + 1 : c; // archaic letters in upper/lower pairs
    }
    switch (c) {
    case 0x037F:
        return 0x03F3;
    case 0x03CF:
        return 0x03D7;
    case 0x03F4:
        return 0x03B8;
    case 0x03F9:
        return 0x03F2;
    case 0x03FD:
        return 0x037B;
    case 0x03FE:
        return 0x037C;
    case 0x03FF:
        return 0x037D;
    default:
        return c;
    }
}

char32_t foldCyrillic(char32_t c)
{
    if (c >= 0x0400 && c <= 0x040F) return c + 0x50;
    if (c >= 0x0410 && c <= 0x042F) return c + 0x20;
    if (c >= 0x0460 && c <= 0x0481 && isEven(c)) return c + 1;
    if (c >= 0x048A && c <= 0x04BF && isEven(c)) return c + 1;
    if (c == 0x04C0) return 0x04CF;
    if (c >= 0x04C1 && c <= 0x04CE && !isEven(c)) return c + 1;
    if (c >= 0x04D0 && c <= 0x052F && isEven(c)) return c + 1;
    return c;
}

void appendDecomposed(std::u32string& out, char32_t c)
{
    if (c < kDecompositionFirst || c > kDecompositionLast) {
        out.push_back(c);
        return;
    }
    const std::size_t at = 2 * static_cast<std::size_t>(c - kDecompositionFirst);
    const char base = kDecompositions[at];
    if (base == ' ') {
        out.push_back(c);
        return;
    }
    out.push_back(static_cast<char32_t>(static_cast<unsigned char>(base)));
    out.push_back(markFor(kDecompositions[at + 1]));
}

} // namespace

char32_t foldCase(char32_t codePoint)
{
    if (codePoint < 0x0180) return foldLatin(codePoint);
    if (codePoint >= 0x0370 && codePoint <= 0x03FF) return foldGreek(codePoint);
    if (codePoint >= 0x0400 && codePoint <= 0x052F) return foldCyrillic(codePoint);
    return codePoint;
}

std::u32string decomposedName(std::u32string_view name)
{
    std::u32string out;
    out.reserve(name.size() + 4);
    for (const char32_t c : name)
        appendDecomposed(out, c);
    return out;
}

std::u32string collisionKey(std::u32string_view name)
{
    std::u32string key = decomposedName(name);
    for (char32_t& c : key)
        c = foldCase(c);
    return key;
}

} // namespace duet::storage
