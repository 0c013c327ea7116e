package script

import "strings"

// Rewrite lets Scapy's field names that are Starlark keywords (load, as in
// Raw(load=b"...") and p.load) through the Starlark parser: outside string
// literals, such a name used as a keyword argument or an attribute gets a
// trailing underscore, which the bindings drop again.
func Rewrite(src string) string {
	var sb strings.Builder
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '#':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			sb.WriteString(src[i : i+j])
			i += j
		case c == '"' || c == '\'':
			j := stringEnd(src, i)
			sb.WriteString(src[i:j])
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			word := src[i:j]
			sb.WriteString(word)
			if word == "load" && (precededByDot(src, i) || followedByAssign(src, j)) {
				sb.WriteByte('_')
			}
			i = j
		default:
			sb.WriteByte(c)
			i++
		}
	}
	return sb.String()
}

// stringEnd returns the index just past the string literal starting at i
// (single, double or triple quoted; an unterminated one runs to the end).
func stringEnd(s string, i int) int {
	q := s[i]
	triple := strings.HasPrefix(s[i:], strings.Repeat(string(q), 3))
	j := i + 1
	if triple {
		j = i + 3
	}
	for j < len(s) {
		switch {
		case s[j] == '\\':
			j += 2
			continue
		case triple && strings.HasPrefix(s[j:], strings.Repeat(string(q), 3)):
			return j + 3
		case !triple && s[j] == q:
			return j + 1
		case !triple && s[j] == '\n':
			return j
		}
		j++
	}
	return len(s)
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func precededByDot(s string, i int) bool {
	for i > 0 && (s[i-1] == ' ' || s[i-1] == '\t') {
		i--
	}
	return i > 0 && s[i-1] == '.' && !(i > 1 && s[i-2] >= '0' && s[i-2] <= '9')
}

func followedByAssign(s string, j int) bool {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	return j < len(s) && s[j] == '=' && (j+1 >= len(s) || s[j+1] != '=')
}
