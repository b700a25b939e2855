// decode: loads OpenIM config files the way upstream's processes do (viper:
// file + env prefix + AutomaticEnv, then mapstructure into upstream's own
// config structs), but strictly: mapstructure ErrorUnused plus Metadata, so a
// key the process would silently ignore (unused) or leave at its zero value
// (unset) is reported instead of passing unnoticed.
//
//	decode -product server|chat -dir DIR [-env FILE.json]
//
// FILE.json is {"IMENV_...": "value"}: set before loading, like the pod env.
// Prints one JSON object: {"files": {"<name>.yml": {"unused": [...], "unset": [...], "error": "..."}},
// "unusedEnv": [...], "unknownFiles": [...], "missingFiles": [...]}.
//
// Loader read in: open-im-server v3.8.3 pkg/common/config/load_config.go:10-27,
// chat v1.8.4 pkg/common/config/load.go:27-45 (identical apart from the prefix).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mitchellh/mapstructure"
	chatcfg "github.com/openimsdk/chat/pkg/common/config"
	servercfg "github.com/openimsdk/open-im-server/v3/pkg/common/config"
	"github.com/spf13/viper"
)

// target makes a fresh pointer to the struct a file is decoded into.
type target func() any

// Server: file → struct as wired in open-im-server v3.8.3 pkg/common/cmd/*.go (configMap of each command).
var serverFiles = map[string]target{
	"discovery.yml":               func() any { return &servercfg.Discovery{} },
	"kafka.yml":                   func() any { return &servercfg.Kafka{} },
	"local-cache.yml":             func() any { return &servercfg.LocalCache{} },
	"log.yml":                     func() any { return &servercfg.Log{} },
	"minio.yml":                   func() any { return &servercfg.Minio{} },
	"mongodb.yml":                 func() any { return &servercfg.Mongo{} },
	"notification.yml":            func() any { return &servercfg.Notification{} },
	"redis.yml":                   func() any { return &servercfg.Redis{} },
	"share.yml":                   func() any { return &servercfg.Share{} },
	"webhooks.yml":                func() any { return &servercfg.Webhooks{} },
	"openim-api.yml":              func() any { return &servercfg.API{} },
	"openim-crontask.yml":         func() any { return &servercfg.CronTask{} },
	"openim-msggateway.yml":       func() any { return &servercfg.MsgGateway{} },
	"openim-msgtransfer.yml":      func() any { return &servercfg.MsgTransfer{} },
	"openim-push.yml":             func() any { return &servercfg.Push{} },
	"openim-rpc-auth.yml":         func() any { return &servercfg.Auth{} },
	"openim-rpc-conversation.yml": func() any { return &servercfg.Conversation{} },
	"openim-rpc-friend.yml":       func() any { return &servercfg.Friend{} },
	"openim-rpc-group.yml":        func() any { return &servercfg.Group{} },
	"openim-rpc-msg.yml":          func() any { return &servercfg.Msg{} },
	"openim-rpc-third.yml":        func() any { return &servercfg.Third{} },
	"openim-rpc-user.yml":         func() any { return &servercfg.User{} },
}

// Chat: file → struct as wired in chat v1.8.4 pkg/common/cmd/*.go (configMap of each command).
var chatFiles = map[string]target{
	"chat-api-admin.yml": func() any { return &chatcfg.API{} },
	"chat-api-chat.yml":  func() any { return &chatcfg.API{} },
	"chat-rpc-admin.yml": func() any { return &chatcfg.Admin{} },
	"chat-rpc-chat.yml":  func() any { return &chatcfg.Chat{} },
	"discovery.yml":      func() any { return &chatcfg.Discovery{} },
	"log.yml":            func() any { return &chatcfg.Log{} },
	"mongodb.yml":        func() any { return &chatcfg.Mongo{} },
	"redis.yml":          func() any { return &chatcfg.Redis{} },
	"share.yml":          func() any { return &chatcfg.Share{} },
}

// serverEnvPrefix mirrors open-im-server v3.8.3 pkg/common/cmd/constant.go:75-90, which is
// package-private to a package that links the whole server. local-cache.yml is not in
// upstream's list there, so its prefix is "" (env for it is read without a prefix).
func serverEnvPrefix(file string) string {
	if file == "local-cache.yml" {
		return ""
	}
	base := strings.TrimSuffix(strings.TrimSuffix(file, ".yml"), ".yaml")
	return strings.ToUpper(strings.ReplaceAll("IMENV_"+base, "-", "_"))
}

type fileResult struct {
	Unused []string `json:"unused"`
	Unset  []string `json:"unset"`
	Error  string   `json:"error,omitempty"`
}

type result struct {
	Files map[string]fileResult `json:"files"`
	// Env variables given with -env that no key of any file reads (viper only
	// consults env for keys present in the file: such a variable is ignored silently).
	UnusedEnv    []string `json:"unusedEnv"`
	UnknownFiles []string `json:"unknownFiles"`
	MissingFiles []string `json:"missingFiles"`
}

// envName is the variable viper consults for key (lower-cased by viper) of a
// file loaded with prefix: viper's mergeWithEnvPrefix upper-cases prefix+"_"+key,
// then the key replacer turns "." into "_" (spf13/viper v1.18.2 viper.go).
func envName(prefix, key string) string {
	name := strings.ToUpper(key)
	if prefix != "" {
		name = strings.ToUpper(prefix + "_" + key)
	}
	return strings.ReplaceAll(name, ".", "_")
}

// decodeFile loads one file like upstream, twice: once strictly (ErrorUnused,
// the error is reported), once collecting Metadata (mapstructure stops filling
// Metadata at a level where ErrorUnused fails, so the lists come from this pass).
// It also returns the env variables viper would consult for this file's keys.
func decodeFile(path, prefix string, mk target) (fileResult, []string) {
	load := func() (*viper.Viper, error) {
		v := viper.New()
		v.SetConfigFile(path)
		v.SetEnvPrefix(prefix)
		v.AutomaticEnv()
		v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
		return v, v.ReadInConfig()
	}
	v, err := load()
	if err != nil {
		return fileResult{Unused: []string{}, Unset: []string{}, Error: err.Error()}, nil
	}
	r := fileResult{}
	if err := v.Unmarshal(mk(), func(c *mapstructure.DecoderConfig) {
		c.TagName = "mapstructure" // as upstream
		c.ErrorUnused = true       // stricter than upstream: a key no field reads is an error
	}); err != nil {
		r.Error = err.Error()
	}
	var md mapstructure.Metadata
	v2, _ := load()
	if err := v2.Unmarshal(mk(), func(c *mapstructure.DecoderConfig) {
		c.TagName = "mapstructure"
		c.Metadata = &md
	}); err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	r.Unused = append([]string{}, md.Unused...)
	r.Unset = append([]string{}, md.Unset...)
	sort.Strings(r.Unused)
	sort.Strings(r.Unset)
	var env []string
	for _, key := range v.AllKeys() {
		env = append(env, envName(prefix, key))
	}
	return r, env
}

func main() {
	product := flag.String("product", "", "server or chat")
	dir := flag.String("dir", "", "config folder")
	envFile := flag.String("env", "", "JSON object of env variables to set before loading")
	flag.Parse()

	files := map[string]target{}
	prefix := func(string) string { return "" }
	switch *product {
	case "server":
		files, prefix = serverFiles, serverEnvPrefix
	case "chat":
		files, prefix = chatFiles, func(f string) string { return chatcfg.EnvPrefixMap[f] }
	default:
		fmt.Fprintln(os.Stderr, "decode: -product must be server or chat")
		os.Exit(2)
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "decode: -dir is required")
		os.Exit(2)
	}
	env := map[string]string{}
	if *envFile != "" {
		raw, err := os.ReadFile(*envFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "decode:", err)
			os.Exit(2)
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			fmt.Fprintln(os.Stderr, "decode: env file:", err)
			os.Exit(2)
		}
		for k, val := range env {
			os.Setenv(k, val)
		}
	}

	res := result{Files: map[string]fileResult{}, UnusedEnv: []string{}, UnknownFiles: []string{}, MissingFiles: []string{}}
	read := map[string]bool{}
	present, err := filepath.Glob(filepath.Join(*dir, "*.yml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "decode:", err)
		os.Exit(2)
	}
	seen := map[string]bool{}
	for _, path := range present {
		name := filepath.Base(path)
		seen[name] = true
		mk, ok := files[name]
		if !ok {
			res.UnknownFiles = append(res.UnknownFiles, name)
			continue
		}
		r, names := decodeFile(path, prefix(name), mk)
		res.Files[name] = r
		for _, n := range names {
			read[n] = true
		}
	}
	for name := range files {
		if !seen[name] {
			res.MissingFiles = append(res.MissingFiles, name)
		}
	}
	for name := range env {
		if !read[name] {
			res.UnusedEnv = append(res.UnusedEnv, name)
		}
	}
	sort.Strings(res.UnusedEnv)
	sort.Strings(res.UnknownFiles)
	sort.Strings(res.MissingFiles)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "decode:", err)
		os.Exit(2)
	}
}
