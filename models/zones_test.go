package models

import "testing"

func TestLoadZone(t *testing.T) {
	a, err := LoadZone("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := LoadZone("America/Chicago")
	if a != b || a.String() != "America/Chicago" {
		t.Errorf("the second load: %p %q, want the first's %p", b, b, a)
	}
	if _, err := LoadZone("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone loaded")
	}
	if zones.Contains("Mars/Olympus_Mons") {
		t.Error("an unknown zone was kept")
	}
}
