/**
 * Facts about the official `node` Docker images that decide whether a native addon gets a binary:
 * which Debian/Alpine release a tag uses, that release's libc, which arches are published, and
 * whether python3/make/g++ are in the image.
 *
 * Read on 2026-11-25 from these snapshots (the newest the research mirror held):
 * - nodejs/docker-node `versions.json` at f27d936f (2026-08-19) for lines 22, 24, 26; for lines since
 *   dropped, the last `versions.json` that listed them: 25 at 6027bae6 (2026-05-05), 20 at 8874b155
 *   (2025-12-03), 18 at b3ae4060 (2025-05-06). Their images stay pullable but are frozen.
 * - nodejs/docker-node `stackbrew.js` (same commit): how tags map to variants. `<major>` is the
 *   `debian-default` variant, `<major>-slim` its `-slim`, `<major>-alpine` the `alpine-default`;
 *   `lts` is the newest line whose LTS date has passed; `current`/`latest` the newest line.
 * - docker-library/official-images `library/node` at 5aa45c86 (2026-08-05), which agrees with the above
 *   (`22` → bookworm, `22-alpine` → alpine3.24, `26` → trixie, `lts` → 24 before 2026-10-28).
 * - docker-library/buildpack-deps `debian/<codename>/Dockerfile` at 8330ca1: the full images install
 *   gcc, g++ and make, and python3 arrives with mercurial from the `-scm` layer. The slim images start from
 *   `debian:<codename>-slim` and purge everything not needed by node; the alpine images install only
 *   libstdc++ (the toolchain in their Dockerfile is a fallback build-only virtual package, removed).
 * - libc: Debian `libc6` 2.31 (bullseye), 2.36 (bookworm), 2.41 (trixie, 2.41-12+deb13uN); Alpine
 *   `main/musl` 1.2.4 (3.18, 3.19 as 1.2.4_git20230717), 1.2.5 (3.20–3.23), 1.2.6 (3.24), as published in
 *   the distributions' package indexes. Debian python3: 3.9, 3.11, 3.13.
 *
 * - libstdc++ (`glibcxxVersion`, the highest GLIBCXX_3.4.N symbol version libstdc++.so.6 defines):
 *   Debian builds `libstdc++6` from the release's newest GCC: bullseye gcc-10 (10.2.1-6), bookworm
 *   gcc-12 (12.2.0-14), trixie gcc-14 (14.2.0). GCC's own version history (libstdc++ manual,
 *   abi.xml, "Symbol versioning") maps GCC 10.1.0 → GLIBCXX_3.4.28, 12.1.0 → 3.4.30, 13.1.0 →
 *   3.4.31, 13.2.0 → 3.4.32, 14.1.0 → 3.4.33, and a point release adds none. Bookworm's 3.4.30 was
 *   also read off a real Debian 12 libstdc++.so.6.0.30 (amd64 and Debian's arm64 cross package).
 *   Alpine's libstdc++ is left out: a musl target is judged by the musl checks, not by GLIBCXX.
 *
 * Not established for certain: the mirror ends in August 2026. After 26 became LTS on 2026-10-28,
 * `stackbrew.js` as read would give no line the `current` tags (it wants an LTS date still in the future),
 * so `node:current` here means "the newest line", which is what the tag has always meant. Line 26 had no
 * LTS codename in the snapshot, so `node:<codename>` works for 18–24 only.
 */

import type { Libc } from '../../model/target.js';

export interface DistroRelease {
  distro: 'debian' | 'alpine';
  libc: Libc;
  libcVersion: string;
  /** python3 in the full image; null where the image never carries it. */
  pythonVersion: string | null;
  /** Highest GLIBCXX_ version of the release's libstdc++.so.6 (glibc releases only). */
  glibcxxVersion?: string;
}

export const DEBIAN_RELEASES: Readonly<Record<string, DistroRelease>> = {
  bullseye: {
    distro: 'debian',
    libc: 'glibc',
    libcVersion: '2.31',
    pythonVersion: '3.9',
    glibcxxVersion: '3.4.28',
  },
  bookworm: {
    distro: 'debian',
    libc: 'glibc',
    libcVersion: '2.36',
    pythonVersion: '3.11',
    glibcxxVersion: '3.4.30',
  },
  trixie: {
    distro: 'debian',
    libc: 'glibc',
    libcVersion: '2.41',
    pythonVersion: '3.13',
    glibcxxVersion: '3.4.33',
  },
};

/** Keyed by the alpine release as it appears in tags (`alpine3.24` → `3.24`). */
export const ALPINE_RELEASES: Readonly<Record<string, DistroRelease>> = {
  '3.18': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.4', pythonVersion: null },
  '3.19': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.4', pythonVersion: null },
  '3.20': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.5', pythonVersion: null },
  '3.21': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.5', pythonVersion: null },
  '3.22': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.5', pythonVersion: null },
  '3.23': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.5', pythonVersion: null },
  '3.24': { distro: 'alpine', libc: 'musl', libcVersion: '1.2.6', pythonVersion: null },
};

export interface ImageLine {
  major: number;
  /** LTS codename usable as a tag (`jod`, `jod-alpine`), when the line had one. */
  codename: string | null;
  /** End of life: after this the tags still pull, but no new image is built. */
  end: string;
  debianDefault: string;
  alpineDefault: string;
  /**
   * Variant → Node arch names the variant is published for. Translated from bashbrew's names:
   * amd64 → x64, arm64v8 → arm64, arm32v6/arm32v7 → arm, ppc64le → ppc64 (Node's name), s390x → s390x.
   */
  variants: Readonly<Record<string, readonly string[]>>;
}

const X64_ARM64 = ['x64', 'arm64'] as const;

export const IMAGE_LINES: readonly ImageLine[] = [
  {
    major: 26,
    codename: null,
    end: '2029-04-30',
    debianDefault: 'trixie',
    alpineDefault: 'alpine3.24',
    variants: {
      'alpine3.23': X64_ARM64,
      'alpine3.24': X64_ARM64,
      bookworm: ['x64', 'arm64', 'ppc64'],
      'bookworm-slim': ['x64', 'arm64', 'ppc64'],
      bullseye: X64_ARM64,
      'bullseye-slim': X64_ARM64,
      trixie: ['x64', 'arm64', 'ppc64', 's390x'],
      'trixie-slim': ['x64', 'arm64', 'ppc64', 's390x'],
    },
  },
  {
    major: 25,
    codename: null,
    end: '2026-06-01',
    debianDefault: 'bookworm',
    alpineDefault: 'alpine3.23',
    variants: {
      'alpine3.22': ['x64', 'arm64', 's390x'],
      'alpine3.23': ['x64', 'arm64', 's390x'],
      bookworm: ['x64', 'arm64', 'ppc64', 's390x'],
      'bookworm-slim': ['x64', 'arm64', 'ppc64', 's390x'],
      bullseye: X64_ARM64,
      'bullseye-slim': X64_ARM64,
      trixie: ['x64', 'arm64', 'ppc64', 's390x'],
      'trixie-slim': ['x64', 'arm64', 'ppc64', 's390x'],
    },
  },
  {
    major: 24,
    codename: 'krypton',
    end: '2028-04-30',
    debianDefault: 'bookworm',
    alpineDefault: 'alpine3.24',
    variants: {
      'alpine3.23': ['x64', 'arm64', 's390x'],
      'alpine3.24': ['x64', 'arm64', 's390x'],
      bookworm: ['x64', 'arm64', 'ppc64'],
      'bookworm-slim': ['x64', 'arm64', 'ppc64'],
      bullseye: X64_ARM64,
      'bullseye-slim': X64_ARM64,
      trixie: ['x64', 'arm64', 'ppc64', 's390x'],
      'trixie-slim': ['x64', 'arm64', 'ppc64', 's390x'],
    },
  },
  {
    major: 22,
    codename: 'jod',
    end: '2027-04-30',
    debianDefault: 'bookworm',
    alpineDefault: 'alpine3.24',
    variants: {
      'alpine3.23': ['x64', 'arm', 'arm64', 's390x'],
      'alpine3.24': ['x64', 'arm', 'arm64', 's390x'],
      bookworm: ['x64', 'arm', 'arm64', 'ppc64'],
      'bookworm-slim': ['x64', 'arm', 'arm64', 'ppc64'],
      bullseye: ['x64', 'arm', 'arm64'],
      'bullseye-slim': ['x64', 'arm', 'arm64'],
      trixie: ['x64', 'arm64', 'ppc64', 's390x'],
      'trixie-slim': ['x64', 'arm64', 'ppc64', 's390x'],
    },
  },
  {
    major: 20,
    codename: 'iron',
    end: '2026-04-30',
    debianDefault: 'bookworm',
    alpineDefault: 'alpine3.23',
    variants: {
      'alpine3.22': ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      'alpine3.23': ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      bookworm: ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      'bookworm-slim': ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      bullseye: ['x64', 'arm', 'arm64'],
      'bullseye-slim': ['x64', 'arm', 'arm64'],
      trixie: ['x64', 'arm64', 'ppc64', 's390x'],
      'trixie-slim': ['x64', 'arm64', 'ppc64', 's390x'],
    },
  },
  {
    major: 18,
    codename: 'hydrogen',
    end: '2025-04-30',
    debianDefault: 'bookworm',
    alpineDefault: 'alpine3.21',
    variants: {
      'alpine3.20': ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      'alpine3.21': ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      bookworm: ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      'bookworm-slim': ['x64', 'arm', 'arm64', 'ppc64', 's390x'],
      bullseye: ['x64', 'arm', 'arm64'],
      'bullseye-slim': ['x64', 'arm', 'arm64'],
    },
  },
];
