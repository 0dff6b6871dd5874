"""The standard Jupyter kernel conformance suite (jupyter_kernel_test) run
against the installed gosys kernelspec, with a Go sample for every check."""

import os
import unittest

import jupyter_kernel_test as jkt


class GosysConformance(jkt.KernelTests):
    kernel_name = os.environ.get("GOSYS_KERNEL_NAME", "gosys")
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'import "fmt"\nfmt.Println("hello, world")'
    code_stderr = 'import "fmt"\nimport "os"\nfmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [
        {"text": "fmt.Pri", "matches": {"Print", "Printf", "Println"}},
        {"text": "strings.HasPre", "matches": {"HasPrefix"}},
    ]
    complete_code_samples = ["x := 1", 'import "fmt"\nfmt.Println(1)', "func f() {}", "!ls"]
    incomplete_code_samples = ["func f() {", "x := []int{1,", "s := `raw", "a := 1 +"]
    invalid_code_samples = ["x := := 3", "}", "a := )", "func 1() {}"]

    code_page_something = "fmt.Println?"
    code_generate_error = 'panic("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"go" + "sys"', "result": '"gosys"'},
        {"code": "[]int{1, 2, 3}", "result": "[1 2 3]"},
    ]
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")
    code_display_data = [
        {"code": 'rt.HTML("<b>bold</b>")', "mime": "text/html"},
        {"code": 'rt.Markdown("*md*")', "mime": "text/markdown"},
        {"code": 'rt.SVG(`<svg xmlns="http://www.w3.org/2000/svg"/>`)', "mime": "image/svg+xml"},
    ]
    code_inspect_sample = "fmt.Println"
    code_clear_output = "rt.ClearOutput(false)"


if __name__ == "__main__":
    unittest.main(verbosity=2)
