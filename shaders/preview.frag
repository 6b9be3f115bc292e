#version 330 core
// The picture over a grey checkerboard, so transparent parts read as transparent rather than as black.
// The board is anchored to window pixels (gl_FragCoord), so it stays still while the picture scales.
uniform sampler2D uPicture;
uniform float uCellPixels;
in vec2 vTexCoord;
out vec4 outColor;

void main()
{
    vec2 cell = floor(gl_FragCoord.xy / uCellPixels);
    float light = mod(cell.x + cell.y, 2.0);
    vec3 board = mix(vec3(0.40), vec3(0.60), light);
    vec4 picture = texture(uPicture, vTexCoord);
    outColor = vec4(mix(board, picture.rgb, picture.a), 1.0);
}
