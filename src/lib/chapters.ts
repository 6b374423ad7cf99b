import { getCollection, type CollectionEntry } from 'astro:content';

export type Chapter = CollectionEntry<'chapters'>;

/** The chapters in reading order. Fails the build if two share a position. */
export async function getChapters(): Promise<Chapter[]> {
  const chapters = (await getCollection('chapters')).sort((a, b) => a.data.order - b.data.order);
  chapters.forEach((chapter, i) => {
    if (chapter.data.order !== i + 1) {
      throw new Error(
        `Chapter "${chapter.id}" has order ${chapter.data.order}; chapters must be numbered 1, 2, 3, … without gaps or repeats.`,
      );
    }
  });
  return chapters;
}

export function chapterHref(chapter: Chapter): string {
  return `/chapters/${chapter.id}/`;
}
