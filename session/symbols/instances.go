package symbols

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"hash"
	"math/rand/v2"
	"reflect"
	"sync"
)

// Generic std functions made available to cells as one fixed instantiation.
// yaegi cannot call a generic function compiled into the kernel, and the
// extractor skips them; for these, one instantiation covers the usual calls:
//
//   - crypto/hkdf Extract, Expand, Key and crypto/pbkdf2 Key, with
//     H = hash.Hash: they take func() hash.Hash, which is exactly the type
//     of sha256.New, sha512.New, sha1.New, md5.New, ... (for sha3.New256,
//     which returns *sha3.SHA3, pass func() hash.Hash { return sha3.New256() });
//   - math/rand/v2 N, with Int = int: rand.N(10) works, rand.N(time.Second)
//     does not (use time.Duration(rand.Int64N(int64(time.Second)))).
var instances = map[string]map[string]reflect.Value{
	"crypto/hkdf/hkdf": {
		"Extract": reflect.ValueOf(hkdf.Extract[hash.Hash]),
		"Expand":  reflect.ValueOf(hkdf.Expand[hash.Hash]),
		"Key":     reflect.ValueOf(hkdf.Key[hash.Hash]),
	},
	"crypto/pbkdf2/pbkdf2": {
		"Key": reflect.ValueOf(pbkdf2.Key[hash.Hash]),
	},
	"math/rand/v2/rand": {
		"N": reflect.ValueOf(rand.N[int]),
	},
}

var prepareOnce sync.Once

// prepare completes Symbols once all init functions have run (whatever the
// order of this package's files): it adds the instantiations above and the
// interruptible replacements (interruptible.go).
func prepare() {
	for _, table := range []map[string]map[string]reflect.Value{instances, interruptible, processCalls} {
		add(table)
	}
}

// add puts table's symbols into Symbols, replacing those of the same name.
func add(table map[string]map[string]reflect.Value) {
	for pkg, syms := range table {
		m := Symbols[pkg]
		if m == nil {
			m = map[string]reflect.Value{}
			Symbols[pkg] = m
		}
		for name, v := range syms {
			m[name] = v
		}
	}
}
