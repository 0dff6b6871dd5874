package runner

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type msg struct {
	typ     string
	content string // JSON
}

// TestOutputs feeds iopub messages to the collector, cell by cell, and
// checks the outputs of every cell afterwards.
func TestOutputs(t *testing.T) {
	cases := []struct {
		name  string
		cells [][]msg // the messages of each code cell in turn
		want  []string
	}{{
		name: "streams merge per name",
		cells: [][]msg{{
			{"stream", `{"name":"stdout","text":"a\n"}`},
			{"stream", `{"name":"stdout","text":"b"}`},
			{"stream", `{"name":"stderr","text":"e\n"}`},
			{"stream", `{"name":"stdout","text":"c\n"}`},
			{"status", `{"execution_state":"idle"}`},
		}},
		want: []string{`[{"name":"stdout","output_type":"stream","text":"a\nb"},{"name":"stderr","output_type":"stream","text":"e\n"},{"name":"stdout","output_type":"stream","text":"c\n"}]`},
	}, {
		name: "result, display, error and execution_count",
		cells: [][]msg{{
			{"execute_input", `{"code":"x","execution_count":7}`},
			{"display_data", `{"data":{"text/html":"<b>"},"metadata":{"m":1},"transient":{}}`},
			{"execute_result", `{"data":{"text/plain":"1"},"metadata":{},"execution_count":7}`},
			{"error", `{"ename":"E","evalue":"v","traceback":["t"]}`},
		}},
		want: []string{`[{"data":{"text/html":"<b>"},"metadata":{"m":1},"output_type":"display_data"},{"data":{"text/plain":"1"},"execution_count":7,"metadata":{},"output_type":"execute_result"},{"ename":"E","evalue":"v","output_type":"error","traceback":["t"]}]`},
	}, {
		name: "clear_output now",
		cells: [][]msg{{
			{"stream", `{"name":"stdout","text":"a"}`},
			{"clear_output", `{"wait":false}`},
			{"stream", `{"name":"stdout","text":"b"}`},
		}},
		want: []string{`[{"name":"stdout","output_type":"stream","text":"b"}]`},
	}, {
		name: "clear_output wait clears at the next output only",
		cells: [][]msg{{
			{"stream", `{"name":"stdout","text":"a"}`},
			{"clear_output", `{"wait":true}`},
			{"status", `{"execution_state":"busy"}`},
		}, {
			{"stream", `{"name":"stdout","text":"x"}`},
			{"clear_output", `{"wait":true}`},
			{"stream", `{"name":"stdout","text":"y"}`},
		}},
		want: []string{`[{"name":"stdout","output_type":"stream","text":"a"}]`, `[{"name":"stdout","output_type":"stream","text":"y"}]`},
	}, {
		name: "update_display_data reaches every cell showing the id",
		cells: [][]msg{{
			{"display_data", `{"data":{"text/plain":"v1"},"metadata":{},"transient":{"display_id":"d"}}`},
		}, {
			{"display_data", `{"data":{"text/plain":"v1"},"metadata":{},"transient":{"display_id":"d"}}`},
			{"update_display_data", `{"data":{"text/plain":"v2"},"metadata":{"k":2},"transient":{"display_id":"d"}}`},
			{"update_display_data", `{"data":{"text/plain":"never"},"metadata":{},"transient":{"display_id":"unknown"}}`},
		}},
		want: []string{
			`[{"data":{"text/plain":"v2"},"metadata":{"k":2},"output_type":"display_data"}]`,
			`[{"data":{"text/plain":"v2"},"metadata":{"k":2},"output_type":"display_data"}]`,
		},
	}, {
		name: "cleared outputs forget their display id",
		cells: [][]msg{{
			{"display_data", `{"data":{"text/plain":"v1"},"metadata":{},"transient":{"display_id":"d"}}`},
			{"clear_output", `{"wait":false}`},
			{"stream", `{"name":"stdout","text":"s"}`},
			{"update_display_data", `{"data":{"text/plain":"v2"},"metadata":{},"transient":{"display_id":"d"}}`},
		}},
		want: []string{`[{"name":"stdout","output_type":"stream","text":"s"}]`},
	}, {
		name: "messages without output",
		cells: [][]msg{{
			{"comm_open", `{"comm_id":"c","data":{}}`},
			{"shutdown_reply", `{"status":"ok"}`},
			{"status", `{"execution_state":"busy"}`},
		}},
		want: []string{`[]`},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nb := &Notebook{root: map[string]any{}}
			for range c.cells {
				nb.cells = append(nb.cells, map[string]any{"cell_type": "code", "metadata": map[string]any{}})
			}
			o := newOutputs(nb)
			for i, msgs := range c.cells {
				o.begin(i)
				for _, m := range msgs {
					o.handle(m.typ, decode(t, m.content).(map[string]any))
				}
			}
			for i, w := range c.want {
				if got := nb.cells[i]["outputs"]; !reflect.DeepEqual(got, decode(t, w)) {
					g, _ := json.Marshal(got)
					t.Errorf("cell %d outputs:\n got %s\nwant %s", i, g, w)
				}
			}
		})
	}
}

func TestHandleReportsIdleAndCount(t *testing.T) {
	nb := &Notebook{cells: []map[string]any{{"cell_type": "code"}}}
	o := newOutputs(nb)
	o.begin(0)
	if o.handle("status", decode(t, `{"execution_state":"busy"}`).(map[string]any)) {
		t.Error("busy reported as idle")
	}
	o.handle("execute_input", decode(t, `{"code":"","execution_count":3}`).(map[string]any))
	if got := nb.cells[0]["execution_count"]; got != json.Number("3") {
		t.Errorf("execution_count = %v, want 3", got)
	}
	if !o.handle("status", decode(t, `{"execution_state":"idle"}`).(map[string]any)) {
		t.Error("idle not reported")
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}
