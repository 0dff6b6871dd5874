module gosys

go 1.26.8

require (
	github.com/go-zeromq/zmq4 v0.17.0
	github.com/traefik/yaegi v0.16.1
	golang.org/x/sys v0.50.0
)

require (
	github.com/go-zeromq/goczmq/v4 v4.2.2 // indirect
	golang.org/x/sync v0.7.0 // indirect
	golang.org/x/text v0.15.0 // indirect
)

// yaegi with gosys's patches (third_party/yaegi/PATCHES.md).
replace github.com/traefik/yaegi => ./third_party/yaegi
replace github.com/go-zeromq/zmq4 => ./third_party/zmq4 // gosys's patches: third_party/zmq4/PATCHES.md
