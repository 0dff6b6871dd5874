package view_test

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

var screenshots = flag.Bool("screenshots", false, "render the views with headless Chromium into testdata/screenshots")

// pageThemes are the two backgrounds every view must read well on.
var pageThemes = map[string]string{
	"light": "background:#fff;color:#1f1f1f",
	"dark":  "background:#111;color:#eee",
}

// TestScreenshots renders the fixed views in a light and a dark page with
// headless Chromium and saves the PNGs, cropped to what was drawn, under
// testdata/screenshots, for a person to look at. It runs only with
// -screenshots.
func TestScreenshots(t *testing.T) {
	if !*screenshots {
		t.Skip("run with -screenshots to render the views with Chromium")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium: apt-get install -y chromium")
	}
	out := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	v := views()
	for _, name := range []string{"fds.html", "fdsof.svg", "fdsof-three.svg", "procs.html", "sockets.html", "bar.svg", "line.svg", "trace.svg", "trace-card.html", "lanes.html"} {
		for theme, style := range pageThemes {
			page := `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:16px;font-family:sans-serif;font-size:14px;` +
				style + `">` + v[name] + `</body></html>`
			html := filepath.Join(t.TempDir(), "page.html")
			if err := os.WriteFile(html, []byte(page), 0o644); err != nil {
				t.Fatal(err)
			}
			shot := filepath.Join(t.TempDir(), "shot.png")
			cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
				"--screenshot="+shot, "--window-size=1000,900", "file://"+html)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, b)
			}
			png := filepath.Join(out, name[:len(name)-len(filepath.Ext(name))]+"-"+theme+".png")
			if err := cropPNG(shot, png); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", png)
		}
	}
}

// cropPNG writes the part of the image in src that differs from its
// top-left pixel (the page background), with a margin, to dst.
func cropPNG(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	r := img.Bounds()
	bg := img.At(r.Min.X, r.Min.Y)
	box := image.Rectangle{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.At(x, y) != bg {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	box = box.Inset(-12).Intersect(r)
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(box)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, quantize(sub)); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

// quantize maps img onto its 256 most frequent colors, which keeps text
// and flat fills exact and the files small.
func quantize(img image.Image) image.Image {
	r := img.Bounds()
	count := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cols := slices.SortedFunc(maps.Keys(count), func(a, b color.RGBA) int {
		if c := count[b] - count[a]; c != 0 {
			return c
		}
		return int(a.R)<<16 | int(a.G)<<8 | int(a.B) - (int(b.R)<<16 | int(b.G)<<8 | int(b.B))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range cols[:min(256, len(cols))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	draw.Draw(out, r, img, r.Min, draw.Src)
	return out
}
