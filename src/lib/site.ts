/** Facts about the guide used by the page chrome. */
export const SITE = {
  name: 'Attention, explained',
  tagline: 'An interactive, visual guide to attention in transformers',
  description:
    'A visual, interactive tour of attention, the mechanism at the core of transformer models: what it does, query, key and value, multi-head attention, self- and cross-attention, and how it scales.',
  lang: 'en-GB',
  socialImage: '/social-card.png',
} as const;
