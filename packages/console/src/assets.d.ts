/** Stylesheets the bundle imports: esbuild writes them to main.css; they export nothing. */
declare module "*.css" {}
