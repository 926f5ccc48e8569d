package contracts

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Push payload schemas: push/<TYPE>.schema.json describes the FCM v1
// "message" object the server sends for notices of that type (data.type),
// and push/<TYPE>.example.json is an example of it.
//
//go:embed push/*.json
var pushFiles embed.FS

var (
	pushOnce    sync.Once
	pushSchemas map[string]*jsonschema.Schema
	pushErr     error
)

// PushTypes lists the payload types that have a schema.
func PushTypes() ([]string, error) {
	if err := loadPush(); err != nil {
		return nil, err
	}
	var out []string
	for t := range pushSchemas {
		out = append(out, t)
	}
	return out, nil
}

// PushExample returns the example payload of a type.
func PushExample(typ string) ([]byte, error) {
	return pushFiles.ReadFile("push/" + typ + ".example.json")
}

// ValidatePush checks an FCM message (the "message" object as sent) against
// the schema of its data.type.
func ValidatePush(raw []byte) error {
	if err := loadPush(); err != nil {
		return err
	}
	var probe struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return fmt.Errorf("push payload is not JSON: %w", err)
	}
	typ := probe.Data["type"]
	s, ok := pushSchemas[typ]
	if !ok {
		return fmt.Errorf("no schema for push type %q in mobile-contracts/push/", typ)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return s.Validate(doc)
}

func loadPush() error {
	pushOnce.Do(func() {
		pushSchemas = map[string]*jsonschema.Schema{}
		entries, err := pushFiles.ReadDir("push")
		if err != nil {
			pushErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		// Every schema file is a resource (common.json holds shared parts);
		// each <TYPE>.schema.json is compiled.
		for _, e := range entries {
			name := e.Name()
			if strings.HasSuffix(name, ".example.json") {
				continue
			}
			b, err := pushFiles.ReadFile("push/" + name)
			if err != nil {
				pushErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				pushErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			if err := c.AddResource("sameside:push/"+name, doc); err != nil {
				pushErr = err
				return
			}
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".schema.json") {
				continue
			}
			s, err := c.Compile("sameside:push/" + name)
			if err != nil {
				pushErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			pushSchemas[strings.TrimSuffix(path.Base(name), ".schema.json")] = s
		}
	})
	return pushErr
}
