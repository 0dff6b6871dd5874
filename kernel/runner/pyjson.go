package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// marshalPython encodes v as Python's json.dumps(v, indent=1,
// sort_keys=True, ensure_ascii=False, separators=(",", ": ")) does, which is
// how nbformat writes notebooks. v holds the generic values encoding/json
// decodes into (map[string]any, []any, string, json.Number, float64, bool,
// nil); other values are first turned into those through encoding/json.
// Numbers decoded as json.Number keep their original spelling.
func marshalPython(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodePython(&b, v, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func encodePython(b *bytes.Buffer, v any, depth int) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writePythonString(b, x)
	case json.Number:
		b.WriteString(string(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		f, err := pythonFloat(x)
		if err != nil {
			return err
		}
		b.WriteString(f)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, depth+1)
			if err := encodePython(b, e, depth+1); err != nil {
				return err
			}
		}
		newline(b, depth)
		b.WriteByte(']')
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Byte order of UTF-8 is code point order, Python's sort order.
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, depth+1)
			writePythonString(b, k)
			b.WriteString(": ")
			if err := encodePython(b, x[k], depth+1); err != nil {
				return err
			}
		}
		newline(b, depth)
		b.WriteByte('}')
	default:
		return encodeViaJSON(b, x, depth)
	}
	return nil
}

// encodeViaJSON encodes a value of any other type by round-tripping it
// through encoding/json into generic values.
func encodeViaJSON(b *bytes.Buffer, v any, depth int) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var g any
	if err := d.Decode(&g); err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	if _, same := g.(json.Number); same {
		b.Write(raw)
		return nil
	}
	return encodePython(b, g, depth)
}

// pythonFloat formats f as Python's repr does: fixed notation with at least
// one decimal for exponents -4..15, else shortest scientific notation.
// NaN and infinities, which JSON lacks, are refused.
func pythonFloat(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("encode %v: not representable in JSON", f)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // shortest digits, d.ddde±XX
	exp, err := strconv.Atoi(e[strings.LastIndexByte(e, 'e')+1:])
	if err != nil {
		return "", fmt.Errorf("encode %v: %w", f, err)
	}
	if exp < -4 || exp >= 16 {
		return e, nil
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s, nil
}

func newline(b *bytes.Buffer, depth int) {
	b.WriteByte('\n')
	for range depth {
		b.WriteByte(' ')
	}
}

// writePythonString writes s quoted as Python's json module does with
// ensure_ascii=False: only '"', '\\' and control characters are escaped,
// the latter as \b \f \n \r \t or \u00xx (lowercase hex). Invalid UTF-8
// becomes U+FFFD.
func writePythonString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString("\uFFFD")
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}

// splitLines is Python's str.splitlines(keepends=True), as nbformat uses
// it to store multi-line text as a list of lines: it breaks after \n, \r,
// \r\n, \v, \f, \x1c, \x1d, \x1e, \x85, U+2028 and U+2029, and returns no
// element at all for "".
func splitLines(s string) []any {
	lines := []any{}
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := -1
		switch r {
		case '\r':
			end = i + 1
			if end < len(s) && s[end] == '\n' {
				end++
			}
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			end = i + size
		}
		if end < 0 {
			i += size
			continue
		}
		lines = append(lines, s[start:end])
		start, i = end, end
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}
