package models

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// LoadZone is time.LoadLocation remembered: a push to a school plans and
// words a message for every family in its own zone (quiet hours, office
// hours, times in the text), and time.LoadLocation reads the zone's file
// again on every call. Zones found are kept (the IANA database has a few
// hundred, and names reach here only once CleanTimeZone took them); an
// unknown name is not.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Get(name); ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Add(name, loc)
	return loc, nil
}

// maxZones bounds the zones LoadZone keeps (more than the IANA database
// has).
const maxZones = 1024

var zones = func() *lru.Cache[string, *time.Location] {
	c, err := lru.New[string, *time.Location](maxZones)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}()
