// Package notes embeds deferio's notes: one Markdown file per topic
// (defer.md, io.md, exec.md, peer.md, container.md, bench.md), so that the
// tour, the labs and the files read on their own say the same words.
//
// A lesson's explanation is a section of a notes file introduced by a
// marker line and a level-2 heading:
//
//	<!-- lesson: defer-basics -->
//	## defer runs last-in first-out
//
//	text ...
//
// The section runs to the next level-1 or level-2 heading, or the next
// marker. Every claim in a section names the test or Example that proves it.
package notes

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.md
var files embed.FS

const marker = "<!-- lesson: "

// Files returns the names of the embedded notes files, sorted.
func Files() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// File returns the whole text of one notes file, such as "defer.md".
func File(name string) (string, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("no notes file %q (have %s)", name, strings.Join(Files(), ", "))
	}
	return string(b), nil
}

// Lesson returns the text of the section marked for lesson id, without
// the marker and its heading.
func Lesson(id string) (string, error) {
	for _, name := range Files() {
		text, err := File(name)
		if err != nil {
			return "", err
		}
		if body, ok := section(text, id); ok {
			return body, nil
		}
	}
	return "", fmt.Errorf("no notes section for lesson %q: add a line %q and a heading to a file in notes/", id, marker+id+" -->")
}

// Lessons returns the IDs of every lesson section, in file and text order.
func Lessons() []string {
	var ids []string
	for _, name := range Files() {
		text, _ := File(name)
		for _, l := range strings.Split(text, "\n") {
			if id, ok := markerID(l); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func markerID(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, marker) || !strings.HasSuffix(line, "-->") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, marker), "-->")), true
}

func section(text, id string) (string, bool) {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if got, ok := markerID(l); !ok || got != id {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j < len(lines) && strings.HasPrefix(lines[j], "## ") {
			j++
		}
		var body []string
		for ; j < len(lines); j++ {
			l := lines[j]
			if _, ok := markerID(l); ok || strings.HasPrefix(l, "# ") || strings.HasPrefix(l, "## ") {
				break
			}
			body = append(body, l)
		}
		return strings.TrimSpace(strings.Join(body, "\n")) + "\n", true
	}
	return "", false
}
