export * from './binding.js';
export * from './format.js';
export * from './parse.js';
export { type RecipePart, recipeParts, withAuthority, withWrapped } from './recipe.js';
export * from './serialize.js';
