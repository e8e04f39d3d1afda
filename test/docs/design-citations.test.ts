import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// Source comments cite the design by section name (`docs/design.md "Mathematics: Damping"`), so a
// renamed or removed heading must fail the build rather than leave dangling citations.

const ROOT = path.resolve(__dirname, '..', '..');

function headings(): { sections: Set<string>; subsections: Map<string, Set<string>> } {
  const sections = new Set<string>();
  const subsections = new Map<string, Set<string>>();
  let current = '';
  for (const line of readFileSync(path.join(ROOT, 'docs', 'design.md'), 'utf8').split('\n')) {
    const h2 = /^## (.+)$/.exec(line);
    const h3 = /^### (.+)$/.exec(line);
    if (h2) {
      current = h2[1]!.trim();
      sections.add(current);
      subsections.set(current, new Set());
    } else if (h3) subsections.get(current)?.add(h3[1]!.trim());
  }
  return { sections, subsections };
}

describe('docs/design.md citations', () => {
  it('every section the tracked files cite exists as a heading', () => {
    const cited = execFileSync('git', ['grep', '-ohE', 'docs/design\\.md "[^"]+"', '--', '.', ':!test/docs/*'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((c) => /"([^"]+)"/.exec(c)![1]!);
    expect(cited.length).toBeGreaterThan(20);
    const { sections, subsections } = headings();
    const dangling = [...new Set(cited)].filter((c) => {
      const [section, sub] = c.split(': ');
      return !sections.has(section!) || (sub !== undefined && !subsections.get(section!)!.has(sub));
    });
    expect(dangling).toEqual([]);
  });

  it('no tracked file cites a design file outside the repository', () => {
    // git grep exits 1 when nothing matches
    const found = spawnSync('git', ['grep', '-lE', 'DESIGN\\.md|DESIGN §', '--', 'src', 'test', 'bench', 'scripts', 'docs', 'prisma', ':!test/docs/*'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect({ status: found.status, files: found.stdout.trim() }).toEqual({ status: 1, files: '' });
  });
});
