import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const chapters = defineCollection({
  loader: glob({
    base: './content/chapters',
    pattern: '**/*.mdx',
    // "01-what-attention-does.mdx" is published as "what-attention-does".
    generateId: ({ entry }) => entry.replace(/^\d+-/, '').replace(/\.mdx$/, ''),
  }),
  schema: z.object({
    title: z.string(),
    /** Shown in search results and social cards; one or two sentences. */
    description: z.string().min(50).max(170),
    /** The chapter's one-line promise on the landing page. */
    promise: z.string(),
    /** Position in the guide, from 1. */
    order: z.number().int().positive(),
  }),
});

export const collections = { chapters };
