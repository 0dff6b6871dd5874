package symbols

import (
	"bufio"
	"encoding"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"reflect"
)

// MapTypes tells yaegi, for std functions that take an interface{} but
// behave differently when the argument implements some interface (fmt and
// fmt.Stringer, json.Marshal and json.Marshaler, io.Copy and io.WriterTo,
// ...), which interfaces an interpreted value should be wrapped as. It is
// exported to the interpreter under the special key "." (Symbols["."]),
// which interp.Use recognises.
//
// Keys are either the std function value or the generated interface wrapper
// of this package (e.g. _io_Reader); each slice lists wrappers from most to
// least complex. The content mirrors yaegi's stdlib.MapTypes.
var MapTypes = map[reflect.Value][]reflect.Type{}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func init() {
	printing := []reflect.Type{typeOf[fmt.Formatter](), typeOf[fmt.Stringer]()}
	for _, f := range []any{
		fmt.Errorf, fmt.Fprint, fmt.Fprintf, fmt.Fprintln, fmt.Print, fmt.Printf, fmt.Println,
		fmt.Sprint, fmt.Sprintf, fmt.Sprintln, fmt.Append, fmt.Appendf, fmt.Appendln,
		log.Fatal, log.Fatalf, log.Fatalln, log.Panic, log.Panicf, log.Panicln,
		log.Print, log.Printf, log.Println, logFatal, logFatalf, logFatalln,
	} {
		MapTypes[reflect.ValueOf(f)] = printing
	}
	scanning := []reflect.Type{typeOf[fmt.Scanner]()}
	for _, f := range []any{fmt.Scan, fmt.Scanf, fmt.Scanln, fmt.Fscan, fmt.Fscanf, fmt.Fscanln, fmt.Sscan, fmt.Sscanf, fmt.Sscanln} {
		MapTypes[reflect.ValueOf(f)] = scanning
	}
	marshal := []reflect.Type{typeOf[json.Marshaler](), typeOf[encoding.TextMarshaler]()}
	MapTypes[reflect.ValueOf(json.Marshal)] = marshal
	MapTypes[reflect.ValueOf(json.MarshalIndent)] = marshal
	MapTypes[reflect.ValueOf(json.Unmarshal)] = []reflect.Type{typeOf[json.Unmarshaler](), typeOf[encoding.TextUnmarshaler]()}
	MapTypes[reflect.ValueOf(xml.Marshal)] = []reflect.Type{typeOf[xml.Marshaler](), typeOf[encoding.TextMarshaler]()}
	MapTypes[reflect.ValueOf(xml.MarshalIndent)] = []reflect.Type{typeOf[xml.Marshaler](), typeOf[encoding.TextMarshaler]()}
	MapTypes[reflect.ValueOf(xml.Unmarshal)] = []reflect.Type{typeOf[xml.Unmarshaler](), typeOf[encoding.TextUnmarshaler]()}

	// Composed wrappers: an interpreted io.Reader that also has WriteTo
	// must be seen by io.Copy as an io.WriterTo, and so on.
	MapTypes[reflect.ValueOf((*_net_http_ResponseWriter)(nil))] = []reflect.Type{typeOf[responseWriterHijacker]()}
	MapTypes[reflect.ValueOf((*_io_Reader)(nil))] = []reflect.Type{typeOf[readerWriterTo]()}
	MapTypes[reflect.ValueOf((*_io_Writer)(nil))] = []reflect.Type{typeOf[writerReaderFrom]()}
}

// Composed interface wrappers. yaegi matches them by field: field 0 is
// IValue, every further field is W<Method> and the interpreted type must
// have all those methods.

// responseWriterHijacker is an http.ResponseWriter that is also an
// http.Hijacker.
type responseWriterHijacker struct {
	IValue       any
	WHeader      func() http.Header
	WWrite       func(b []byte) (int, error)
	WWriteHeader func(code int)
	WHijack      func() (net.Conn, *bufio.ReadWriter, error)
}

func (w responseWriterHijacker) Header() http.Header         { return w.WHeader() }
func (w responseWriterHijacker) Write(b []byte) (int, error) { return w.WWrite(b) }
func (w responseWriterHijacker) WriteHeader(code int)        { w.WWriteHeader(code) }
func (w responseWriterHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.WHijack()
}

// readerWriterTo is an io.Reader that is also an io.WriterTo.
type readerWriterTo struct {
	IValue   any
	WRead    func(p []byte) (int, error)
	WWriteTo func(w io.Writer) (int64, error)
}

func (w readerWriterTo) Read(p []byte) (int, error)           { return w.WRead(p) }
func (w readerWriterTo) WriteTo(dst io.Writer) (int64, error) { return w.WWriteTo(dst) }

// writerReaderFrom is an io.Writer that is also an io.ReaderFrom.
type writerReaderFrom struct {
	IValue    any
	WWrite    func(p []byte) (int, error)
	WReadFrom func(r io.Reader) (int64, error)
}

func (w writerReaderFrom) Write(p []byte) (int, error)           { return w.WWrite(p) }
func (w writerReaderFrom) ReadFrom(src io.Reader) (int64, error) { return w.WReadFrom(src) }
