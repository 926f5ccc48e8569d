package models

import (
	"sync"
	"time"
)

// LoadZone is time.LoadLocation remembered: a push to a school plans and
// words a message for every family in its own zone (quiet hours, office
// hours, times in the text), and time.LoadLocation reads the zone's file
// again on every call. Zones found are kept (the IANA database has a few
// hundred, and names reach here only once CleanTimeZone took them); an
// unknown name is not.
func LoadZone(name string) (*time.Location, error) {
	zones.RLock()
	loc, ok := zones.of[name]
	zones.RUnlock()
	if ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Lock()
	if len(zones.of) < maxZones {
		zones.of[name] = loc
	}
	zones.Unlock()
	return loc, nil
}

// maxZones bounds the zones LoadZone keeps.
const maxZones = 1024

var zones = struct {
	sync.RWMutex
	of map[string]*time.Location
}{of: map[string]*time.Location{}}
