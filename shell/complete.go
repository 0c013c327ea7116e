package shell

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"pktkit/craft"
	"pktkit/craft/script"
)

// keywords are Starlark's keywords, completed like names.
var keywords = []string{"and", "break", "continue", "def", "elif", "else", "for", "if", "in", "lambda", "not", "or", "pass", "return", "while", "True", "False", "None"}

// Complete completes the word before pos in line: a global name, builtin,
// keyword or class; after "x." an attribute of x (a packet's fields and
// methods: pkts[0][TCP]. lists TCP's fields); inside Class( a field name of
// the class. It returns the new line and position (the word extended by
// the candidates' common prefix) and the candidates, sorted.
func Complete(globals starlark.StringDict, line string, pos int) (string, int, []string) {
	if pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 && isIdent(line[start-1]) {
		start--
	}
	word := line[start:pos]
	var cands []string
	suffix := ""
	switch {
	case start > 0 && line[start-1] == '.':
		recv := receiver(line[:start-1])
		if recv == "" || strings.ContainsAny(recv, "()") {
			// Completing after a call would run it: no.
			return line, pos, nil
		}
		th := &starlark.Thread{Name: "complete"}
		th.SetMaxExecutionSteps(100000)
		f, err := Parse("<complete>", recv, 0)
		if err != nil || len(f.Stmts) != 1 {
			return line, pos, nil
		}
		v, err := evalStmtExpr(th, f, globals)
		if err != nil {
			return line, pos, nil
		}
		cands = attrNames(v)
	default:
		if cls := openClassCall(globals, line[:start]); cls != nil {
			for _, f := range cls.C.Protos[0].Fields {
				cands = append(cands, f.Name)
			}
			suffix = "="
		}
		for n := range globals {
			if !strings.HasPrefix(n, "__") {
				cands = append(cands, n)
			}
		}
		for n := range starlark.Universe {
			cands = append(cands, n)
		}
		cands = append(cands, keywords...)
	}
	var match []string
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, word) && !seen[c] {
			seen[c] = true
			match = append(match, c)
		}
	}
	sort.Strings(match)
	if len(match) == 0 {
		return line, pos, nil
	}
	ext := commonPrefix(match)
	if len(match) == 1 {
		ext += suffix
	}
	nl := line[:start] + ext + line[pos:]
	return nl, start + len(ext), match
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// receiver returns the expression ending at the end of s: names, dots and
// balanced brackets ("pkts[0][TCP]").
func receiver(s string) string {
	i := len(s)
	for i > 0 {
		c := s[i-1]
		switch {
		case isIdent(c) || c == '.':
			i--
		case c == ']' || c == ')':
			open := byte('[')
			if c == ')' {
				open = '('
			}
			depth := 0
			j := i - 1
			for ; j >= 0; j-- {
				if s[j] == c {
					depth++
				} else if s[j] == open {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j < 0 {
				return ""
			}
			i = j
		default:
			return s[i:]
		}
	}
	return s[i:]
}

// evalStmtExpr evaluates a file of one expression statement.
func evalStmtExpr(th *starlark.Thread, f *syntax.File, globals starlark.StringDict) (starlark.Value, error) {
	es, ok := f.Stmts[0].(*syntax.ExprStmt)
	if !ok {
		return nil, fmt.Errorf("not an expression")
	}
	return starlark.EvalExprOptions(FileOptions, th, es.X, globals)
}

// openClassCall returns the class whose call is open at the end of s
// ("IP(dst=1, " is inside IP's call), or nil.
func openClassCall(globals starlark.StringDict, s string) *script.Class {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')', ']', '}':
			depth++
		case '[', '{':
			depth--
			if depth < 0 {
				return nil
			}
		case '(':
			if depth > 0 {
				depth--
				continue
			}
			j := i
			for j > 0 && isIdent(s[j-1]) {
				j--
			}
			if c, ok := globals[s[j:i]].(*script.Class); ok {
				return c
			}
			if c := craft.LookupClass(s[j:i]); c != nil {
				return &script.Class{C: c}
			}
			return nil
		}
	}
	return nil
}

// attrNames lists a value's attributes.
func attrNames(v starlark.Value) []string {
	if ha, ok := v.(starlark.HasAttrs); ok {
		return ha.AttrNames()
	}
	return nil
}

func commonPrefix(s []string) string {
	p := s[0]
	for _, x := range s[1:] {
		for !strings.HasPrefix(x, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}
