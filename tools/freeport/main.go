// Command freeport writes a firebase.json for the Firebase emulators with
// free loopback ports (auth, hub, logging), so two test runs on one machine
// do not collide on the emulator's fixed defaults (9099, 4400, 4500).
//
//	go run ./tools/freeport DIR   # writes DIR/firebase.json
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: freeport DIR")
		os.Exit(2)
	}
	var ports []int
	var hold []net.Listener // held until all are chosen, so they differ
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, "freeport:", err)
			os.Exit(1)
		}
		hold = append(hold, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range hold {
		l.Close()
	}
	cfg := map[string]any{"emulators": map[string]any{
		"auth":              map[string]any{"host": "127.0.0.1", "port": ports[0]},
		"hub":               map[string]any{"host": "127.0.0.1", "port": ports[1]},
		"logging":           map[string]any{"host": "127.0.0.1", "port": ports[2]},
		"ui":                map[string]any{"enabled": false},
		"singleProjectMode": true,
	}}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(filepath.Join(os.Args[1], "firebase.json"), append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "freeport:", err)
		os.Exit(1)
	}
}
