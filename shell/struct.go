package shell

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"go.starlark.net/starlark"
)

// byteOrder reads and appends integers in one byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// structItem is one code of a struct format: count times a code.
type structItem struct {
	count int
	code  byte
}

// maxStructSize bounds what one format describes.
const maxStructSize = 1 << 20

// structSizes are the standard sizes of the format codes.
var structSizes = map[byte]int{
	'x': 1, 'c': 1, 'b': 1, 'B': 1, '?': 1, 'h': 2, 'H': 2, 'i': 4, 'I': 4, 'l': 4, 'L': 4,
	'q': 8, 'Q': 8, 'n': 8, 'N': 8, 'e': 2, 'f': 4, 'd': 8, 's': 1, 'p': 1,
}

// parseStruct parses a format of Python's struct module: an optional byte
// order (@ = native order, standard sizes, no alignment; = and < little
// endian; > and ! big endian) then codes with optional counts. It returns
// the byte order, the items and the packed size.
func parseStruct(format string) (byteOrder, []structItem, int, error) {
	var order byteOrder = binary.LittleEndian
	i := 0
	if len(format) > 0 {
		switch format[0] {
		case '@', '=', '<':
			i = 1
		case '>', '!':
			order, i = binary.BigEndian, 1
		}
	}
	var items []structItem
	size := 0
	for i < len(format) {
		c := format[i]
		if c == ' ' || c == '\t' || c == '\n' {
			i++
			continue
		}
		count, digits := 0, false
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			count = count*10 + int(format[i]-'0')
			digits = true
			if count > maxStructSize {
				return nil, nil, 0, fmt.Errorf("struct: count too large in %q", format)
			}
			i++
		}
		if !digits {
			count = 1
		}
		if i >= len(format) {
			return nil, nil, 0, fmt.Errorf("struct: repeat count given without format specifier in %q", format)
		}
		c = format[i]
		i++
		n, ok := structSizes[c]
		if !ok {
			return nil, nil, 0, fmt.Errorf("struct: bad char %q in struct format", c)
		}
		size += n * count
		if size > maxStructSize {
			return nil, nil, 0, fmt.Errorf("struct: format %q describes more than %d bytes", format, maxStructSize)
		}
		items = append(items, structItem{count: count, code: c})
	}
	return order, items, size, nil
}

// builtinCalcsize is struct.calcsize(format).
func builtinCalcsize(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var format string
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &format); err != nil {
		return nil, err
	}
	_, _, n, err := parseStruct(format)
	if err != nil {
		return nil, err
	}
	return starlark.MakeInt(n), nil
}

// builtinPack is struct.pack(format, values...).
func builtinPack(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) < 1 || len(kwargs) > 0 {
		return nil, fmt.Errorf("pack(format, values...)")
	}
	format, ok := starlark.AsString(args[0])
	if !ok {
		return nil, fmt.Errorf("pack: the format must be a string")
	}
	out, err := pack(format, args[1:])
	if err != nil {
		return nil, err
	}
	return starlark.Bytes(out), nil
}

func pack(format string, vals starlark.Tuple) ([]byte, error) {
	order, items, size, err := parseStruct(format)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, size)
	next := func() (starlark.Value, error) {
		if len(vals) == 0 {
			return nil, fmt.Errorf("pack expected more items for packing (format %q)", format)
		}
		v := vals[0]
		vals = vals[1:]
		return v, nil
	}
	for _, it := range items {
		if it.code == 's' || it.code == 'p' {
			v, err := next()
			if err != nil {
				return nil, err
			}
			raw, err := bytesArg("pack", v)
			if err != nil {
				return nil, err
			}
			field := make([]byte, it.count)
			copy(field, raw)
			out = append(out, field...)
			continue
		}
		for k := 0; k < it.count; k++ {
			if it.code == 'x' {
				out = append(out, 0)
				continue
			}
			v, err := next()
			if err != nil {
				return nil, err
			}
			if out, err = packOne(out, order, it.code, v); err != nil {
				return nil, err
			}
		}
	}
	if len(vals) > 0 {
		return nil, fmt.Errorf("pack expected %d items for packing, got more", len(items))
	}
	return out, nil
}

func packOne(out []byte, order byteOrder, code byte, v starlark.Value) ([]byte, error) {
	switch code {
	case 'c':
		raw, err := bytesArg("pack", v)
		if err != nil || len(raw) != 1 {
			return nil, fmt.Errorf("pack: char format requires a bytes object of length 1")
		}
		return append(out, raw[0]), nil
	case '?':
		if v.Truth() {
			return append(out, 1), nil
		}
		return append(out, 0), nil
	case 'e', 'f', 'd':
		x, ok := starlark.AsFloat(v)
		if !ok {
			return nil, fmt.Errorf("pack: required argument is not a float")
		}
		switch code {
		case 'f':
			return order.AppendUint32(out, math.Float32bits(float32(x))), nil
		case 'd':
			return order.AppendUint64(out, math.Float64bits(x)), nil
		}
		return nil, fmt.Errorf("pack: half floats (e) are not supported")
	}
	n := structSizes[code]
	iv, ok := v.(starlark.Int)
	if !ok {
		if bv, isBool := v.(starlark.Bool); isBool {
			iv = starlark.MakeInt(map[bool]int{true: 1}[bool(bv)])
		} else {
			return nil, fmt.Errorf("pack: required argument is not an integer")
		}
	}
	bi := iv.BigInt()
	signed := code == 'b' || code == 'h' || code == 'i' || code == 'l' || code == 'q' || code == 'n'
	bits := uint(n * 8)
	lo, hi := big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1))
	if signed {
		lo = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1))
	}
	if bi.Cmp(lo) < 0 || bi.Cmp(hi) > 0 {
		return nil, fmt.Errorf("pack: '%c' format requires %s <= number <= %s", code, lo, hi)
	}
	var u uint64
	if bi.Sign() < 0 {
		u = uint64(bi.Int64())
	} else {
		u = bi.Uint64()
	}
	switch n {
	case 1:
		return append(out, byte(u)), nil
	case 2:
		return order.AppendUint16(out, uint16(u)), nil
	case 4:
		return order.AppendUint32(out, uint32(u)), nil
	}
	return order.AppendUint64(out, u), nil
}

// builtinUnpack is struct.unpack(format, data): a tuple.
func builtinUnpack(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var format string
	var data starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &format, &data); err != nil {
		return nil, err
	}
	raw, err := bytesArg("unpack", data)
	if err != nil {
		return nil, err
	}
	return unpack(format, raw)
}

func unpack(format string, raw []byte) (starlark.Tuple, error) {
	order, items, size, err := parseStruct(format)
	if err != nil {
		return nil, err
	}
	if len(raw) != size {
		return nil, fmt.Errorf("unpack requires a buffer of %d bytes, got %d", size, len(raw))
	}
	var out starlark.Tuple
	for _, it := range items {
		n := structSizes[it.code]
		if it.code == 's' || it.code == 'p' {
			out = append(out, starlark.Bytes(raw[:it.count]))
			raw = raw[it.count:]
			continue
		}
		for k := 0; k < it.count; k++ {
			d := raw[:n]
			raw = raw[n:]
			var u uint64
			switch n {
			case 1:
				u = uint64(d[0])
			case 2:
				u = uint64(order.Uint16(d))
			case 4:
				u = uint64(order.Uint32(d))
			case 8:
				u = order.Uint64(d)
			}
			switch it.code {
			case 'x':
			case 'c':
				out = append(out, starlark.Bytes(d))
			case '?':
				out = append(out, starlark.Bool(u != 0))
			case 'e':
				return nil, fmt.Errorf("unpack: half floats (e) are not supported")
			case 'f':
				out = append(out, starlark.Float(math.Float32frombits(uint32(u))))
			case 'd':
				out = append(out, starlark.Float(math.Float64frombits(u)))
			case 'b', 'h', 'i', 'l', 'q', 'n':
				shift := 64 - uint(n*8)
				out = append(out, starlark.MakeInt64(int64(u<<shift)>>shift))
			default:
				out = append(out, starlark.MakeUint64(u))
			}
		}
	}
	return out, nil
}
